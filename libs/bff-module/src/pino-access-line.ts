import { tracingChannel } from 'node:diagnostics_channel';
import { activeTraceIds } from '@bff/tracing';
import pino, { type Logger } from 'pino';
import type { CompletedRequest, CompletionListener } from './request-completion';

/** pino's internals, read through the symbols it exports for this (`pino.symbols`). */
const SYM = pino.symbols as unknown as Record<string, symbol>;
type Internals = Record<symbol, unknown>;

/** The channel pino publishes each line's formatting on: with a subscriber, lines go through pino itself. */
const FORMATTING = tracingChannel('pino_asJson');

/** The fields of a completed request, in the order {@link CompletedRequest}'s producers set them. */
const FIELDS = ['reqId', 'method', 'route', 'status', 'durationMs', 'aborted', 'trace_id', 'span_id'] as const;

/** A JSON string literal: as is when plainly printable ASCII (ids, methods, route patterns), else JSON's own. */
function jsonString(value: string): string {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || code === 0x22 || code === 0x5c || code > 0x7e) return JSON.stringify(value);
  }
  return `"${value}"`;
}

function jsonNumber(value: number): string {
  return Number.isFinite(value) ? String(value) : 'null';
}

/**
 * What a pino logger would add to a line that this writer does not: anything configured to
 * see or change each line (a mixin, a log formatter, serializers or redaction of these
 * fields, hooks, a message prefix or nested key, a stream that wants each line's metadata).
 * Undefined when there is nothing, the only case {@link pinoAccessLine} writes lines itself.
 */
function unsupported(log: Logger): string | undefined {
  const internals = log as unknown as Internals;
  const formatters = internals[SYM.formattersSym as symbol] as { log?: unknown } | undefined;
  const hooks = internals[SYM.hooksSym as symbol] as { logMethod?: unknown; streamWrite?: unknown } | undefined;
  const serializers = (internals[SYM.serializersSym as symbol] ?? {}) as Record<string, unknown>;
  const stringifiers = (internals[SYM.stringifiersSym as symbol] ?? {}) as Record<string | symbol, unknown>;
  const stream = internals[SYM.streamSym as symbol] as { write?: unknown; [key: symbol]: unknown } | undefined;
  const messageKey = internals[SYM.messageKeySym as symbol];
  const mixin = internals[SYM.mixinSym as symbol];
  if (mixin && mixin !== activeTraceIds) return 'a mixin';
  if (formatters?.log) return 'a log formatter';
  if (hooks?.logMethod || hooks?.streamWrite) return 'hooks';
  if (internals[SYM.nestedKeySym as symbol] || internals[SYM.msgPrefixSym as symbol]) return 'a nested key or prefix';
  if (typeof messageKey !== 'string') return 'a message key';
  const keys = [...FIELDS, messageKey];
  if (keys.some((key) => serializers[key])) return 'serializers';
  // A child made with `redact: []` keeps only pino's formatter of bindings here, which lines never use.
  if (keys.some((key) => stringifiers[key]) || stringifiers[SYM.wildcardFirstSym as symbol]) return 'redaction';
  if (typeof stream?.write !== 'function' || stream[SYM.needsMetadataGsym as symbol] === true) return 'the stream';
  if (typeof internals[SYM.timeSym as symbol] !== 'function') return 'the time';
  return undefined;
}

/**
 * The access line written straight to a pino logger's stream: the same JSON line, field for
 * field, that `log.info(completed, message)` writes (pino-access-line.spec.ts compares the
 * two), built from the fixed fields of a completed request instead of pino's walk over any
 * object. bench:instructions measured pino's generic path at about 17k instructions per
 * request, the largest single cost of the access log; this line costs about half.
 *
 * Only for a logger with nothing that would see or change a line (see {@link unsupported}), the
 * trace ids mixin of a tracing BFF aside; otherwise undefined, and the caller logs through pino.
 * The level is read on every line, and a subscriber to pino's formatting channel sends the line
 * through pino too.
 */
export function pinoAccessLine(log: Logger, message: string): CompletionListener | undefined {
  const info = log.levels.values.info;
  const internals = log as unknown as Internals;
  const levelPrefix = (internals[SYM.lsCacheSym as symbol] as Record<number, string> | undefined)?.[info ?? -1];
  const bindings = internals[SYM.chindingsSym as symbol];
  const end = internals[SYM.endSym as symbol];
  if (info === undefined || typeof levelPrefix !== 'string' || typeof bindings !== 'string' || typeof end !== 'string')
    return undefined;
  if (unsupported(log) !== undefined) return undefined;
  const time = internals[SYM.timeSym as symbol] as () => string;
  const traceIdsMixin = internals[SYM.mixinSym as symbol] === activeTraceIds;
  const stream = internals[SYM.streamSym as symbol] as { write(line: string): unknown };
  const tail = `,${jsonString(internals[SYM.messageKeySym as symbol] as string)}:${jsonString(message)}${end}`;
  return (completed: CompletedRequest) => {
    if (log.levelVal > info) return;
    // The trace ids mixin adds nothing to a traced completion, whose own ids take precedence in
    // pino's merge; an untraced one goes through pino, which asks the mixin.
    if (
      FORMATTING.hasSubscribers ||
      (traceIdsMixin && (completed.trace_id === undefined || completed.span_id === undefined))
    ) {
      log.info(completed, message);
      return;
    }
    let line = `${levelPrefix}${time()}${bindings},"reqId":${jsonString(completed.reqId)},"method":${jsonString(completed.method)},"route":${jsonString(completed.route)},"status":${jsonNumber(completed.status)},"durationMs":${jsonNumber(completed.durationMs)}`;
    if (completed.aborted !== undefined) line += `,"aborted":${String(completed.aborted)}`;
    if (completed.trace_id !== undefined) line += `,"trace_id":${jsonString(completed.trace_id)}`;
    if (completed.span_id !== undefined) line += `,"span_id":${jsonString(completed.span_id)}`;
    stream.write(line + tail);
  };
}
