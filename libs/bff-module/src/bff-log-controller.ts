import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';

/**
 * Fastify's per-request log lines ("incoming request", "request completed", the 503 of
 * a closing server, an aborted stream) give way to the BFF's access log, which writes one
 * line for each of those requests. Pass it to the `FastifyAdapter` of an app whose Fastify
 * has a logger: `new FastifyAdapter({ loggerInstance, logController: new BffLogController() })`.
 * Every other line of Fastify's (errors, a failing serializer) stays.
 */
export class BffLogController extends LogController {
  override incomingRequest(): void {
    // The access line, written when the request completes, says all this one did.
  }

  override requestCompleted(): void {
    // Replaced by the access line (access-log.ts).
  }

  override serviceUnavailable(): void {
    // The access line records the 503 of a closing server.
  }

  override streamError(error: Error, request: FastifyRequest, reply: FastifyReply): void {
    // A download the client abandoned is in the access line, marked `aborted`.
    if ((error as NodeJS.ErrnoException).code === 'ERR_STREAM_PREMATURE_CLOSE') return;
    super.streamError(error, request, reply);
  }
}
