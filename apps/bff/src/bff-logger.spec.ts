import { Writable } from 'node:stream';
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
