import { Logger } from '@nestjs/common';
import type { FastifyBaseLogger } from 'fastify';
import type { CompletedRequest, CompletionListener } from './request-completion';

const MESSAGE = 'request completed';

/**
 * The access log: one `info` line per completed request, its fields those of
 * {@link CompletedRequest} (`reqId`, `method`, `route`, `status`, `durationMs`,
 * `aborted` when the connection went first) and nothing else, so no query,
 * cookie or token can reach it. Written through the Fastify instance's logger
 * when it has one (the standalone server's pino: a JSON line, one small object
 * per request and no child logger), otherwise through Nest's logger (context
 * `AccessLog`), the one a host sees the BFF's other lines on.
 */
export function accessLogWriter(fastifyLog: FastifyBaseLogger): CompletionListener {
  // A logger without a level is Fastify's stand-in for "no logger" (abstract-logging): every call is a no-op.
  if (typeof (fastifyLog as { level?: unknown }).level === 'string') {
    return (completed: CompletedRequest) => {
      fastifyLog.info(completed, MESSAGE);
    };
  }
  const logger = new Logger('AccessLog');
  return (completed: CompletedRequest) => {
    logger.log({ msg: MESSAGE, ...completed });
  };
}
