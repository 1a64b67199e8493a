/** The load settings bench:proxy and bench:peer share, read from BENCH_* variables. */
import type { LoadSettings } from './load';

/** A whole number from the environment, or the fallback when unset; anything else stops the run. */
export function intFromEnv(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be an integer >= ${String(min)}`);
  return value;
}

export interface RunSettings {
  load: LoadSettings;
  rounds: number;
  redisUrl: string;
  /** False with BENCH_WRITE=0: a smoke run that prints everything and records nothing. */
  write: boolean;
}

/**
 * BENCH_CONNECTIONS (100), BENCH_WARMUP (3 s), BENCH_DURATION (10 s), BENCH_ROUNDS (3),
 * BENCH_WRITE (0 = print only), REDIS_URL (redis://127.0.0.1:6379).
 */
export function loadRunSettings(): RunSettings {
  return {
    load: {
      connections: intFromEnv('BENCH_CONNECTIONS', 100, 1),
      warmupSeconds: intFromEnv('BENCH_WARMUP', 3, 0),
      durationSeconds: intFromEnv('BENCH_DURATION', 10, 1),
    },
    rounds: intFromEnv('BENCH_ROUNDS', 3, 1),
    redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    write: process.env.BENCH_WRITE !== '0',
  };
}

/** The description of the load every section states. */
export function loadLine(settings: RunSettings): string {
  const { load, rounds } = settings;
  return (
    `- Load: autocannon, ${String(load.connections)} connections, pipelining 1; ${String(load.warmupSeconds)} s ` +
    `warm-up per target, then ${String(rounds)} rounds of ${String(load.durationSeconds)} s per target ` +
    "(medians shown; latencies in whole ms, autocannon's resolution); every server in its own process, " +
    'autocannon in the parent, all on loopback.'
  );
}
