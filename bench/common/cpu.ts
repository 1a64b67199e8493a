/**
 * CPU time used by every process of the run (the servers, autocannon in this process, Redis),
 * read before and after each measured window. On a 2-core machine client, proxy, upstream and
 * Redis share the cores, so "µs of CPU per request, per process" says where throughput goes
 * without the distortion of a profiler.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import Redis from 'ioredis';
import type { ServerProcess } from './children';

/** Cumulative CPU µs per process name. */
export type CpuSnapshot = Record<string, number>;

/** All CPUs of the machine, from /proc/stat, in µs: to see load from processes outside the run. */
export interface MachineCpu {
  busyUs: number;
  totalUs: number;
}

/** /proc/stat counts in clock ticks (USER_HZ, almost always 100). */
const TICK_US = 1e6 / (Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100);

export function machineCpu(): MachineCpu {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const ticks = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest time is already inside user).
  const total = ticks.slice(0, 8).reduce((a, b) => a + b, 0);
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
  return { busyUs: (total - idle) * TICK_US, totalUs: total * TICK_US };
}

export const CLIENT_PROCESS = 'autocannon';
export const REDIS_PROCESS = 'redis';

export class CpuMeter {
  private readonly redis: Redis;

  constructor(
    private readonly servers: readonly ServerProcess[],
    redisUrl: string,
  ) {
    this.redis = new Redis(redisUrl, { connectTimeout: 2_000, commandTimeout: 2_000, maxRetriesPerRequest: 1 });
  }

  async snapshot(): Promise<CpuSnapshot> {
    const [children, redis] = await Promise.all([
      Promise.all(this.servers.map(async (server) => [server.name, await server.cpuMicros()] as const)),
      this.redisMicros(),
    ]);
    const own = process.cpuUsage();
    return Object.fromEntries([...children, [CLIENT_PROCESS, own.user + own.system], [REDIS_PROCESS, redis]]);
  }

  close(): void {
    this.redis.disconnect();
  }

  /** Redis reports its CPU in seconds (user and system) in INFO cpu. */
  private async redisMicros(): Promise<number> {
    const info = await this.redis.info('cpu');
    const seconds = (name: string): number => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? 0);
    return Math.round((seconds('used_cpu_user') + seconds('used_cpu_sys')) * 1e6);
  }
}

/** CPU µs each process used between two snapshots. */
export function cpuBetween(before: CpuSnapshot, after: CpuSnapshot): CpuSnapshot {
  return Object.fromEntries(Object.entries(after).map(([name, us]) => [name, us - (before[name] ?? 0)]));
}
