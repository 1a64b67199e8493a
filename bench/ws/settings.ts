/** The knobs of `npm run bench:ws`, from the environment. */
import { hardOpenFiles } from './machine';

function intFromEnv(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be an integer >= ${String(min)}`);
  return value;
}

/** File descriptors a client process keeps for itself (stdio, IPC, Redis, node internals). */
const SPARE_FDS = 500;

export interface Settings {
  sockets: number;
  clients: number;
  sessions: number;
  concurrency: number;
  broadcasts: number;
  fanoutSocketsPerInstance: number;
  rate: number;
  durationSeconds: number;
  /** Bytes of an unrelated cookie sent along with the session's, as a site's other cookies would be. */
  cookiePadding: number;
  cpuProfile: boolean;
  heapSnapshot: boolean;
  write: boolean;
  redisUrl: string;
}

export function loadSettings(): Settings {
  const sockets = intFromEnv('BENCH_SOCKETS', 16_000, 1);
  // One process may hold at most RLIMIT_NOFILE sockets: enough client processes that each stays under it.
  const perClient = Math.max(1, hardOpenFiles() - SPARE_FDS);
  return {
    sockets,
    clients: Math.max(intFromEnv('BENCH_CLIENTS', 4, 1), Math.ceil(sockets / perClient)),
    sessions: intFromEnv('BENCH_SESSIONS', 32, 2),
    concurrency: intFromEnv('BENCH_CONCURRENCY', 64, 1),
    broadcasts: intFromEnv('BENCH_BROADCASTS', 5, 1),
    fanoutSocketsPerInstance: intFromEnv('BENCH_FANOUT_SOCKETS', 10, 1),
    rate: intFromEnv('BENCH_RATE', 1000, 1),
    durationSeconds: intFromEnv('BENCH_DURATION', 10, 1),
    cookiePadding: intFromEnv('BENCH_COOKIE_PADDING', 2048, 0),
    cpuProfile: process.env.BENCH_CPU_PROF === '1',
    heapSnapshot: process.env.BENCH_HEAP_SNAPSHOT === '1',
    write: process.env.BENCH_WRITE !== '0',
    redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  };
}
