import type { LoggerService } from '@nestjs/common';
import pino, { type DestinationStream, type Logger, type LevelWithSilent } from 'pino';

/**
 * Request fields as logged: method, path and client address only. The query
 * string is left out on purpose (an OAuth callback carries `code` and `state`
 * in it), and no header is logged, so cookies and Authorization never reach a log.
 */
function serializeRequest(request: {
  id?: unknown;
  method?: string;
  url?: string;
  ip?: string;
}): Record<string, unknown> {
  return { id: request.id, method: request.method, path: request.url?.split('?')[0], remoteAddress: request.ip };
}

/** The BFF's one logger: JSON lines (pino) with request ids, shared by Fastify and Nest. */
export function createPinoLogger(level: LevelWithSilent, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'bff' },
      serializers: {
        req: serializeRequest,
        res: (reply: { statusCode?: number }) => ({ statusCode: reply.statusCode }),
        err: pino.stdSerializers.err,
      },
      // Defence in depth should a header object ever be logged by a dependency.
      redact: {
        paths: [
          'headers.cookie',
          'headers.authorization',
          '*.headers.cookie',
          '*.headers.authorization',
          '*.headers["set-cookie"]',
        ],
        censor: '[redacted]',
      },
    },
    destination,
  );
}

/** Nest's LoggerService on top of pino, so `new Logger(Context)` in every lib writes the same JSON lines. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly pino: Logger) {}

  log(message: unknown, ...rest: unknown[]): void {
    this.write('info', message, rest);
  }

  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }

  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }

  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }

  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('trace', message, rest);
  }

  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
  }

  private write(
    level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal',
    message: unknown,
    rest: unknown[],
  ): void {
    // Nest passes the context last; an error's stack, when given, comes before it.
    const context = typeof rest[rest.length - 1] === 'string' ? (rest[rest.length - 1] as string) : undefined;
    const text =
      typeof message === 'string' ? message : message instanceof Error ? message.message : JSON.stringify(message);
    this.pino[level]({ context }, text);
  }
}
