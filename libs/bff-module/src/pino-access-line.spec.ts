import { tracingChannel } from 'node:diagnostics_channel';
import { context, trace, TraceFlags } from '@opentelemetry/api';
import { activeTraceIds } from '@bff/tracing';
import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import { pinoAccessLine } from './pino-access-line';
import type { CompletedRequest } from './request-completion';

const MESSAGE = 'request completed';

/** A destination that keeps every line written to it. */
function lines(): DestinationStream & { lines: string[] } {
  const kept: string[] = [];
  return {
    lines: kept,
    write(line: string) {
      kept.push(line);
    },
  };
}

/** The BFF's root logger (apps/bff/src/bff-logger.ts), with the child accessLogWriter makes of it. */
function bffLike(destination: DestinationStream, options: LoggerOptions = {}): Logger {
  const root = pino(
    {
      level: 'info',
      base: { service: 'bff' },
      serializers: { req: (r: unknown) => r, err: pino.stdSerializers.err },
      redact: { paths: ['headers.cookie', '*.headers.cookie'], censor: '[redacted]' },
      ...options,
    },
    destination,
  );
  return root.child({}, { redact: [] });
}

const FIXED_TIME = () => ',"time":1764806400000';

const SHAPES: [string, CompletedRequest][] = [
  ['a proxied call', { reqId: 'req-1', method: 'GET', route: '/api/orders/*', status: 200, durationMs: 1.234 }],
  [
    'an aborted one',
    { reqId: 'req-2', method: 'POST', route: 'unmatched', status: 499, durationMs: 12, aborted: true },
  ],
  [
    'a traced one',
    {
      reqId: 'req-3',
      method: 'GET',
      route: '/auth/user',
      status: 401,
      durationMs: 0.5,
      trace_id: '0af7651916cd43dd8448eb211c80319c',
      span_id: 'b7ad6b7169203331',
    },
  ],
  [
    'an id a trusted proxy sent, with quotes, a backslash, a control character and non-ASCII',
    { reqId: 'a"b\\c\u0001d\u00e9\u4e2d', method: '-', route: '/x', status: 500, durationMs: 3 },
  ],
];

describe('pinoAccessLine', () => {
  it.each(SHAPES)('writes %s byte for byte as pino would', (_label, completed) => {
    const direct = lines();
    const viaPino = lines();
    const write = pinoAccessLine(bffLike(direct, { timestamp: FIXED_TIME }), MESSAGE);
    expect(write).toBeDefined();
    write?.(completed);
    bffLike(viaPino, { timestamp: FIXED_TIME }).info(completed, MESSAGE);
    expect(direct.lines).toEqual(viaPino.lines);
    expect(direct.lines).toHaveLength(1);
  });

  it("keeps pino's clock, level numbers, bindings and message key", () => {
    const direct = lines();
    const viaPino = lines();
    const options: LoggerOptions = { messageKey: 'message', base: { service: 'bff', pid: 7 } };
    pinoAccessLine(bffLike(direct, options).child({ zone: 'a' }), MESSAGE)?.(SHAPES[0]![1]);
    bffLike(viaPino, options).child({ zone: 'a' }).info(SHAPES[0]![1], MESSAGE);
    const [mine, theirs] = [direct.lines[0], viaPino.lines[0]].map(
      (line) => JSON.parse(line ?? '{}') as Record<string, unknown>,
    );
    expect(typeof mine?.time).toBe('number');
    expect(Math.abs((mine?.time as number) - (theirs?.time as number))).toBeLessThan(1000);
    expect({ ...mine, time: 0 }).toEqual({ ...theirs, time: 0 });
    expect(mine).toMatchObject({ level: 30, service: 'bff', pid: 7, zone: 'a', message: MESSAGE });
  });

  it("writes a traced request's line itself under the tracing BFF's trace ids mixin, with the same fields as pino", () => {
    const traced = SHAPES[2]![1];
    const span = trace.wrapSpanContext({
      traceId: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
      spanId: 'bbbbbbbbbbbbbbbb',
      traceFlags: TraceFlags.SAMPLED,
    });
    const direct = lines();
    const viaPino = lines();
    const write = pinoAccessLine(bffLike(direct, { timestamp: FIXED_TIME, mixin: activeTraceIds }), MESSAGE);
    const pinoLog = bffLike(viaPino, { timestamp: FIXED_TIME, mixin: activeTraceIds });
    context.with(trace.setSpan(context.active(), span), () => {
      write?.(traced);
      pinoLog.info(traced, MESSAGE);
    });
    expect(direct.lines.map((line) => JSON.parse(line) as unknown)).toEqual(
      viaPino.lines.map((line) => JSON.parse(line) as unknown),
    );
    expect(JSON.parse(direct.lines[0] ?? '{}')).toMatchObject({ trace_id: traced.trace_id, span_id: traced.span_id });
  });

  it('sends an untraced completion through pino under that mixin, which then adds the active ids', () => {
    const direct = lines();
    const write = pinoAccessLine(bffLike(direct, { mixin: activeTraceIds }), MESSAGE);
    write?.(SHAPES[0]![1]);
    expect(JSON.parse(direct.lines[0] ?? '{}')).toMatchObject({ reqId: 'req-1', msg: MESSAGE });
    expect(direct.lines).toHaveLength(1);
  });

  it('writes nothing when the logger is above info, and follows a level changed later', () => {
    const direct = lines();
    const log = bffLike(direct, { level: 'warn' });
    const write = pinoAccessLine(log, MESSAGE);
    write?.(SHAPES[0]![1]);
    expect(direct.lines).toEqual([]);
    log.level = 'info';
    write?.(SHAPES[0]![1]);
    expect(direct.lines).toHaveLength(1);
  });

  it("sends lines through pino while something listens on pino's formatting channel", () => {
    const direct = lines();
    const write = pinoAccessLine(bffLike(direct, { timestamp: FIXED_TIME }), MESSAGE);
    const seen: unknown[] = [];
    const ignore = (): void => undefined;
    const subscribers = {
      start: (message: unknown) => {
        seen.push(message);
      },
      end: ignore,
      asyncStart: ignore,
      asyncEnd: ignore,
      error: ignore,
    };
    const channel = tracingChannel('pino_asJson');
    channel.subscribe(subscribers);
    try {
      write?.(SHAPES[0]![1]);
    } finally {
      channel.unsubscribe(subscribers);
    }
    expect(seen).toHaveLength(1);
    expect(direct.lines).toHaveLength(1);
  });

  it.each<[string, () => Logger]>([
    ['a mixin', () => bffLike(lines(), { mixin: () => ({ tenant: 'a' }) })],
    ['a log formatter', () => bffLike(lines(), { formatters: { log: (object) => ({ ...object, extra: 1 }) } })],
    ['redaction', () => pino({ redact: ['reqId'] }, lines())],
    ['a serializer of one of its fields', () => bffLike(lines(), { serializers: { route: () => 'hidden' } })],
    ['a logMethod hook', () => bffLike(lines(), { hooks: { logMethod: (args, method) => method.apply(this, args) } })],
    ['a nested key', () => bffLike(lines(), { nestedKey: 'payload' })],
    ['a message prefix', () => bffLike(lines()).child({}, { msgPrefix: '[access] ' })],
    ['a multistream, which wants each line’s level', () => pino({}, pino.multistream([{ stream: lines() }]))],
  ])('leaves a logger with %s to pino', (_label, make) => {
    expect(pinoAccessLine(make(), MESSAGE)).toBeUndefined();
  });
});
