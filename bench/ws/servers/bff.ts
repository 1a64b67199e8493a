/**
 * One BFF instance built as apps/bff/src/main.ts builds it (config from the environment),
 * logging errors only. Started with --expose-gc so that memory is read after a full GC:
 * what the sockets hold, not garbage that happens to be uncollected.
 */
import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { writeHeapSnapshot } from 'node:v8';
import { createBffApp } from '@bff/bff';
import { loadConfig } from '@bff/config';
import { ConnectionRegistry } from '@bff/realtime';
import type { MemoryReply } from '../protocol';
import { serve } from '../serve';

/** VmRSS from /proc: process.memoryUsage().rss is the same figure, read here at the source. */
function rssBytes(): number {
  const line = readFileSync('/proc/self/status', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return Number(/(\d+)/.exec(line ?? '')?.[1] ?? NaN) * 1024;
}

/** The event-loop probe's timer; each recorded interval includes it, so it is subtracted. */
const LOOP_RESOLUTION_MS = 5;

const gc = (globalThis as { gc?: () => void }).gc;

/** Two full collections with a turn of the event loop between them (weak callbacks, finalizers). */
async function collect(): Promise<void> {
  if (!gc) return;
  gc();
  await new Promise((resolve) => setTimeout(resolve, 50));
  gc();
}

serve(async () => {
  const config = loadConfig(process.env);
  const app = await createBffApp(config, { logger: ['error'] });
  await app.listen({ port: config.server.port, host: config.server.host });
  const registry = app.get(ConnectionRegistry);
  // How long the event loop was blocked: while it is, this instance serves no HTTP request either.
  const loopDelay = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  loopDelay.enable();
  return {
    url: config.server.publicUrl,
    close: () => app.close(),
    handlers: {
      memory: async (): Promise<MemoryReply> => {
        await collect();
        const usage = process.memoryUsage();
        return {
          rssBytes: rssBytes(),
          heapUsedBytes: usage.heapUsed,
          externalBytes: usage.external,
          arrayBuffersBytes: usage.arrayBuffers,
          registered: registry.size,
        };
      },
      cpu: () => process.cpuUsage(),
      /** The longest event-loop stall (ms) since the previous call. */
      'loop-delay': () => {
        const maxMs = Math.max(0, loopDelay.max / 1e6 - LOOP_RESOLUTION_MS);
        loopDelay.reset();
        return maxMs;
      },
      'heap-snapshot': ({ dir }) => writeHeapSnapshot(join(dir, `bff-${String(process.pid)}.heapsnapshot`)),
    },
  };
});
