import { Writable } from 'node:stream';
import { Logger } from '@nestjs/common';
import type { FastifyBaseLogger } from 'fastify';
import pino from 'pino';
import { accessLogWriter } from './access-log';
import type { CompletedRequest } from './request-completion';

const COMPLETED: CompletedRequest = { reqId: 'r-1', method: 'GET', route: '/auth/user', status: 401, durationMs: 1.5 };

describe('accessLogWriter', () => {
  it('writes one JSON info line with the completion as its fields, through a logger that has a level', async () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    accessLogWriter(pino({ base: undefined, timestamp: false }, destination))(COMPLETED);
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines.map((line) => JSON.parse(line) as unknown)).toEqual([
      { level: 30, msg: 'request completed', ...COMPLETED },
    ]);
  });

  it('writes the same line through a root logger that redacts, as the BFF’s does, keeping its bindings', async () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const root = pino(
      {
        base: { service: 'bff' },
        timestamp: false,
        level: 'info',
        redact: { paths: ['headers.cookie', '*.headers.cookie'], censor: '[redacted]' },
      },
      destination,
    );
    accessLogWriter(root)(COMPLETED);
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines.map((line) => JSON.parse(line) as unknown)).toEqual([
      { level: 30, service: 'bff', msg: 'request completed', ...COMPLETED },
    ]);
  });

  it("falls back to Nest's logger, context AccessLog, when Fastify has no logger of its own", () => {
    const log = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    try {
      // What Fastify gives without `logger`/`loggerInstance` (abstract-logging): no level, every call a no-op.
      const fastifyStandIn = { info: () => undefined, child: () => fastifyStandIn } as unknown as FastifyBaseLogger;
      accessLogWriter(fastifyStandIn)({ ...COMPLETED, aborted: true });
      expect(log).toHaveBeenCalledTimes(1);
      expect(log.mock.calls[0]).toEqual([{ msg: 'request completed', ...COMPLETED, aborted: true }]);
      expect((log.mock.contexts[0] as { context?: string }).context).toBe('AccessLog');
    } finally {
      log.mockRestore();
    }
  });
});
