import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { Logger } from '@nestjs/common';
import { rawHttpError, type ErrorBody } from '@bff/errors';

const logger = new Logger('HttpEdge');

/** What Node's parser and timers report, as the contract's status and body. */
function clientErrorOf(code: string | undefined): { status: number; body: ErrorBody } {
  switch (code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, body: { error: 'request_timeout', message: 'The request did not arrive in time.' } };
    case 'HPE_HEADER_OVERFLOW':
      return { status: 431, body: { error: 'headers_too_large', message: 'The request headers are too large.' } };
    default:
      return { status: 400, body: { error: 'bad_request', message: 'The request could not be parsed.' } };
  }
}

/** An answer written on a raw socket: its status and the request id it carries. */
export interface RawAnswer {
  status: number;
  reqId: string;
}

/**
 * Fastify's `clientErrorHandler`: requests Node could not parse (bad syntax,
 * an unknown method, headers over the limit, headers too slow) are answered
 * with the same JSON and headers as every other error, instead of Node's bare
 * status line. Nothing is written into a response already under way. Returns
 * the answer when this wrote one for a request that has no response object
 * (one that has is reported when its response closes).
 */
export function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): RawAnswer | undefined {
  if (error.code === 'ECONNRESET' || socket.destroyed) return undefined;
  // Node's own guard: a response whose headers went out must not get a second status line.
  const inFlight = (socket as { _httpMessage?: ServerResponse })._httpMessage;
  let answer: RawAnswer | undefined;
  if (socket.writable && !inFlight?.headersSent) {
    const { status, body } = clientErrorOf(error.code);
    logger.debug(`client error -> ${String(status)} ${body.error} (${error.code ?? 'no code'})`);
    const reqId = randomUUID();
    socket.end(rawHttpError(status, body, { 'x-request-id': reqId }));
    if (!inFlight) answer = { status, reqId };
  }
  socket.destroy();
  return answer;
}

/**
 * A URL whose path Fastify's router cannot decode (`/auth/user%zz`) never
 * reaches a route, a hook or an error handler: it is answered here, in the
 * contract's shape, before Fastify sees it. Undefined when the URL is fine.
 */
export function badUrlAnswer(url: string): string | undefined {
  const end = url.indexOf('?');
  const path = end === -1 ? url : url.slice(0, end);
  if (!path.includes('%')) return undefined;
  try {
    decodeURIComponent(path);
    return undefined;
  } catch {
    return JSON.stringify({ error: 'invalid_url', message: 'The request URL is not valid.' });
  }
}

/**
 * `CONNECT` never reaches a route (Node hands it to the server's `connect`
 * event, and would otherwise drop the connection without a word): refuse it
 * like any method the BFF does not serve.
 */
export function refuseConnect(_request: IncomingMessage, socket: Duplex): RawAnswer {
  const body = { error: 'method_not_allowed', message: 'CONNECT is not served.' };
  const reqId = randomUUID();
  socket.end(rawHttpError(405, body, { 'x-request-id': reqId }));
  return { status: 405, reqId };
}
