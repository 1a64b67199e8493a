import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { Logger } from '@nestjs/common';
import { BASELINE_HEADERS, rawErrorHeaders } from '@bff/errors';
import type { FastifyInstance } from 'fastify';
import { answerClientError, badUrlAnswer, refuseConnect } from './edge-errors';
import { rawCompletion, UNKNOWN, UNMATCHED_ROUTE, type RequestCompletions } from './request-completion';

type RequestListener = (request: IncomingMessage, response: ServerResponse) => void;

const BASELINE = Object.entries(BASELINE_HEADERS);

/**
 * Takes the edge of the HTTP server over from whatever adapter the host built:
 * every response starts with the baseline headers (so even answers Fastify
 * writes itself carry them), undecodable URLs and unparseable requests are
 * answered in the contract's shape, and CONNECT is refused. Every request,
 * whoever answers it, is reported to `completions` once. Works on a host's
 * plain `new FastifyAdapter()`, whose constructor options the BFF never sees,
 * and on the management listener, which shares the same Fastify.
 */
export function takeOverHttpEdge(server: Server, completions: RequestCompletions): void {
  const listeners = server.listeners('request') as RequestListener[];
  server.removeAllListeners('request');
  const forward = (request: IncomingMessage, response: ServerResponse): void => {
    for (const listener of listeners) listener(request, response);
  };
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    completions.watch(request, response);
    for (const [name, value] of BASELINE) response.setHeader(name, value);
    const badUrl = badUrlAnswer(request.url ?? '/');
    if (badUrl !== undefined) {
      response.writeHead(400, rawErrorHeaders(badUrl, { 'x-request-id': randomUUID() }));
      response.end(badUrl);
      return;
    }
    completions.handle(request, response, forward);
  });
  server.removeAllListeners('clientError');
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    const startedAt = performance.now();
    const answer = answerClientError(error, socket);
    if (answer) completions.report(rawCompletion(answer.reqId, UNKNOWN, UNMATCHED_ROUTE, answer.status, startedAt));
  });
  server.removeAllListeners('connect');
  server.on('connect', (request: IncomingMessage, socket: Duplex) => {
    const startedAt = performance.now();
    const answer = refuseConnect(request, socket);
    completions.report(rawCompletion(answer.reqId, 'CONNECT', UNMATCHED_ROUTE, answer.status, startedAt), request);
  });
}

/** The private symbol under which Fastify keeps the extra servers it opens for `localhost`. */
const SERVER_BINDINGS = 'fastify.serverBindings';

/**
 * Listening on `localhost` (BFF_HOST unset), Fastify binds every loopback address the name
 * resolves to, the second one (`::1` where the hosts file names it) through a server of its own
 * that it makes at listen time with its bare handler and keeps in a private list. That server's
 * edge is taken over when Fastify reports listening: the onListen hooks run in the same turn,
 * before any connection to it can be read, so an answer on IPv6 has the same headers, refusals
 * and access line as on IPv4. A Fastify that keeps the list elsewhere is named in a warning at
 * boot (the edge-answers e2e test fails on it too).
 */
export function takeOverLoopbackBindings(fastify: FastifyInstance, completions: RequestCompletions): void {
  const key = Object.getOwnPropertySymbols(fastify).find((symbol) => symbol.description === SERVER_BINDINGS);
  if (key === undefined) {
    new Logger('HttpEdge').warn(
      `this Fastify keeps no ${SERVER_BINDINGS}: a second loopback listener opened for localhost would answer without the BFF's edge; set BFF_HOST`,
    );
    return;
  }
  const taken = new WeakSet<Server>([fastify.server]);
  fastify.addHook('onListen', (done) => {
    const servers = (fastify as unknown as Record<symbol, unknown>)[key];
    for (const server of Array.isArray(servers) ? (servers as Server[]) : []) {
      if (taken.has(server)) continue;
      taken.add(server);
      takeOverHttpEdge(server, completions);
    }
    done();
  });
}
