import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { BASELINE_HEADERS, rawErrorHeaders } from '@bff/errors';
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
