import type { LoggerService } from '@nestjs/common';
import { activeTraceIds } from '@bff/tracing';
import type { FastifyBaseLogger } from 'fastify';
import pino, {
  type Bindings,
  type ChildLoggerOptions,
  type DestinationStream,
  type Logger,
  type LevelWithSilent,
} from 'pino';

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

/** Options of {@link createPinoLogger}. */
export interface PinoLoggerOptions {
  /** Tracing is on: every line written inside a span carries its `trace_id` and `span_id`. */
  traceIds?: boolean;
}

/** The BFF's one logger: JSON lines (pino) with request ids, shared by Fastify and Nest. */
export function createPinoLogger(
  level: LevelWithSilent,
  destination?: DestinationStream,
  options: PinoLoggerOptions = {},
): Logger {
  return pino(
    {
      level,
      base: { service: 'bff' },
      // Only with tracing on: off, no line pays for a look at the active context.
      ...(options.traceIds ? { mixin: activeTraceIds } : {}),
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

type LogMethod = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

/**
 * A request's logger that becomes a pino child only when something is logged at
 * an enabled level. Fastify makes one per request; a pino child serialises (and,
 * with redaction on, redacts) its bindings when made, which most requests never use.
 */
export class LazyRequestLogger implements FastifyBaseLogger {
  private made?: Logger;

  constructor(
    private readonly parent: Logger,
    private readonly bindings: Bindings,
  ) {}

  get level(): string {
    return this.made?.level ?? this.parent.level;
  }

  set level(level: string) {
    this.logger().level = level;
  }

  trace(...args: unknown[]): void {
    this.write('trace', args);
  }

  debug(...args: unknown[]): void {
    this.write('debug', args);
  }

  info(...args: unknown[]): void {
    this.write('info', args);
  }

  warn(...args: unknown[]): void {
    this.write('warn', args);
  }

  error(...args: unknown[]): void {
    this.write('error', args);
  }

  fatal(...args: unknown[]): void {
    this.write('fatal', args);
  }

  silent(): void {
    // Nothing is ever written at the silent level.
  }

  child(bindings: Bindings, options?: ChildLoggerOptions): Logger {
    return this.logger().child(bindings, options);
  }

  private write(level: LogMethod, args: unknown[]): void {
    if (!(this.made ?? this.parent).isLevelEnabled(level)) return;
    const logger = this.logger();
    Reflect.apply(logger[level], logger, args);
  }

  private logger(): Logger {
    this.made ??= this.parent.child(this.bindings);
    return this.made;
  }
}

/** Fastify's childLoggerFactory: lazy children, except for routes that set a level of their own. */
export function lazyChildLogger(
  logger: FastifyBaseLogger,
  bindings: Bindings,
  options: ChildLoggerOptions,
): FastifyBaseLogger {
  // Fastify hands back the logger it was given as loggerInstance: the pino one of createPinoLogger.
  const parent = logger as Logger;
  return options.level === undefined ? new LazyRequestLogger(parent, bindings) : parent.child(bindings, options);
}
