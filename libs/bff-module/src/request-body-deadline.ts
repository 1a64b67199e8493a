import type { IncomingHttpHeaders } from 'node:http';
import { Logger } from '@nestjs/common';
import { rawErrorHeaders } from '@bff/errors';
import type { FastifyInstance } from 'fastify';

const TIMED_OUT = JSON.stringify({
  error: 'request_timeout',
  message: 'The request body did not arrive in time.',
});

function carriesBody(headers: IncomingHttpHeaders): boolean {
  const length = headers['content-length'];
  return length !== undefined ? length !== '0' : headers['transfer-encoding'] !== undefined;
}

/**
 * Bounds the time a client may take to send a request body, on every route
 * (the proxy streams bodies upstream, the back-channel endpoint parses them):
 * a body trickled at a byte a second would otherwise hold a connection, and
 * an upstream one, for as long as the client likes. Past the deadline the
 * client gets 408 JSON when nothing was answered yet, and the connection is
 * closed either way; the proxy's upstream request stops with it.
 */
export function registerRequestBodyDeadline(app: FastifyInstance, timeoutMs: number): void {
  const logger = new Logger('RequestBodyDeadline');
  app.addHook('onRequest', (request, reply, done) => {
    const incoming = request.raw;
    // Bodies that arrived with their headers (most small ones) need no timer.
    if (incoming.complete || !carriesBody(incoming.headers)) {
      done();
      return;
    }
    const timer = setTimeout(() => {
      // A body that arrived but waits for a slow reader (an upstream) is not the client's delay.
      if (incoming.complete) return;
      logger.warn(`${request.method} ${request.routeOptions.url ?? 'unmatched'} -> 408 request_timeout`);
      const response = reply.raw;
      if (response.headersSent) {
        // Too late for a status (an upstream is already answering): the connection goes.
        incoming.socket.destroy();
        return;
      }
      response.writeHead(408, rawErrorHeaders(TIMED_OUT, { 'x-request-id': request.id }));
      // The rest of the body is never read: the connection closes once the answer is written.
      response.end(TIMED_OUT, () => incoming.socket.destroy());
    }, timeoutMs);
    // The connection keeps the process alive while it matters; a pending deadline need not.
    timer.unref();
    const clear = (): void => {
      clearTimeout(timer);
    };
    incoming.once('end', clear);
    incoming.once('close', clear);
    done();
  });
}
