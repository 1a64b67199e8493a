import { Writable } from 'node:stream';
import { context, trace, TraceFlags } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { createPinoLogger, lazyChildLogger, LazyRequestLogger } from './bff-logger';

function capture(): { lines: Record<string, unknown>[]; destination: Writable } {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { lines, destination };
}

describe('LazyRequestLogger', () => {
  it('makes no pino child while nothing is logged at an enabled level', () => {
    const parent = createPinoLogger('warn', capture().destination);
    const child = jest.spyOn(parent, 'child');
    const logger = lazyChildLogger(parent, { reqId: 'r-1' }, {});
    logger.info('request completed');
    logger.debug('details');
    expect(logger).toBeInstanceOf(LazyRequestLogger);
    expect(child).not.toHaveBeenCalled();
  });

  it('writes with the request bindings once a line is at an enabled level, making the child once', async () => {
    const { lines, destination } = capture();
    const parent = createPinoLogger('info', destination);
    const child = jest.spyOn(parent, 'child');
    const logger = lazyChildLogger(parent, { reqId: 'r-2' }, {});
    logger.info('first');
    logger.warn({ extra: 1 }, 'second');
    await new Promise((resolve) => setImmediate(resolve));
    expect(child).toHaveBeenCalledTimes(1);
    expect(lines).toEqual([
      expect.objectContaining({ reqId: 'r-2', msg: 'first', level: 30 }),
      expect.objectContaining({ reqId: 'r-2', msg: 'second', extra: 1, level: 40 }),
    ]);
  });

  it('makes a real child at once for a route with a level of its own', () => {
    const parent = createPinoLogger('info', capture().destination);
    const logger = lazyChildLogger(parent, { reqId: 'r-3' }, { level: 'error' });
    expect(logger).not.toBeInstanceOf(LazyRequestLogger);
    expect(logger.level).toBe('error');
  });
});

describe('trace ids on log lines', () => {
  const span = trace.wrapSpanContext({
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    spanId: '00f067aa0ba902b7',
    traceFlags: TraceFlags.SAMPLED,
  });

  beforeAll(() => {
    const manager = new AsyncLocalStorageContextManager();
    if (context.setGlobalContextManager(manager)) manager.enable();
  });

  it('adds trace_id and span_id of the active span when tracing is on, and nothing outside a span', async () => {
    const { lines, destination } = capture();
    const logger = createPinoLogger('info', destination, { traceIds: true });
    context.with(trace.setSpan(context.active(), span), () => {
      logger.info('inside');
    });
    logger.info('outside');
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines[0]).toMatchObject({
      msg: 'inside',
      trace_id: span.spanContext().traceId,
      span_id: '00f067aa0ba902b7',
    });
    expect(lines[1]).not.toHaveProperty('trace_id');
  });

  it('adds nothing when tracing is off, even inside a span', async () => {
    const { lines, destination } = capture();
    const logger = createPinoLogger('info', destination);
    context.with(trace.setSpan(context.active(), span), () => {
      logger.info('inside');
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines[0]).not.toHaveProperty('trace_id');
  });
});
