import { Logger } from '@nestjs/common';
import type { FastifyBaseLogger } from 'fastify';
import type { Logger as PinoLogger } from 'pino';
import { pinoAccessLine } from './pino-access-line';
import type { CompletedRequest, CompletionListener } from './request-completion';

const MESSAGE = 'request completed';

/**
 * A child of the logger that does not redact. The access line holds only the fields of
 * {@link CompletedRequest} (no header, so nothing to redact), yet pino runs the root logger's
 * wildcard redaction (bff-logger.ts) on every value of every line: about 6 µs per request, most
 * of the line's cost. `redact: []` is pino's documented way to drop a parent's redaction in a child.
 */
function withoutRedaction(log: FastifyBaseLogger): FastifyBaseLogger {
  return log.child({}, { redact: [] });
}

/** A pino logger (Fastify's own kind): its lines can be written without pino's generic path. */
function isPino(log: FastifyBaseLogger): log is FastifyBaseLogger & PinoLogger {
  return (
    typeof (log as Partial<PinoLogger>).levels?.values === 'object' &&
    typeof (log as Partial<PinoLogger>).levelVal === 'number'
  );
}

/**
 * The access log: one `info` line per completed request, its fields those of
 * {@link CompletedRequest} (`reqId`, `method`, `route`, `status`, `durationMs`,
 * `aborted` when the connection went first) and nothing else, so no query,
 * cookie or token can reach it. Written through the Fastify instance's logger
 * when it has one (the standalone server's pino: a JSON line, one small object
 * per request, through one child made here without redaction, written by pino-access-line.ts
 * when the logger lets it), otherwise through Nest's logger (context
 * `AccessLog`), the one a host sees the BFF's other lines on.
 */
export function accessLogWriter(fastifyLog: FastifyBaseLogger): CompletionListener {
  // A logger without a level is Fastify's stand-in for "no logger" (abstract-logging): every call is a no-op.
  if (typeof (fastifyLog as { level?: unknown }).level === 'string') {
    const log = withoutRedaction(fastifyLog);
    const direct = isPino(log) ? pinoAccessLine(log, MESSAGE) : undefined;
    if (direct) return direct;
    return (completed: CompletedRequest) => {
      log.info(completed, MESSAGE);
    };
  }
  const logger = new Logger('AccessLog');
  return (completed: CompletedRequest) => {
    logger.log({ msg: MESSAGE, ...completed });
  };
}
