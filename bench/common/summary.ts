/** Rounds of measurements → medians, round-by-round ratios, and CPU per request by process. */
import { CLIENT_PROCESS, REDIS_PROCESS } from './cpu';
import type { Measurement, Target } from './load';

export interface Range {
  median: number;
  min: number;
  max: number;
}

/** CPU µs per request, by process. */
export interface CpuPerRequest {
  proxy?: number;
  upstream: number;
  client: number;
  redis: number;
  all: number;
  /** Cores the proxy process kept busy (1 = one core, the most one event loop can use). */
  proxyCores?: number;
  /** Share of the machine's CPU our processes used during the runs, percent. */
  busyPercent: number;
  /** Share of the machine's CPU busy outside our processes (other work, kernel threads), percent. */
  otherPercent: number;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

export function range(values: number[]): Range {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values) };
}

/** Ratios are taken round by round (a target against the baseline measured next to it), then summarised. */
export function roundRatios(mine: Measurement[], baseline: Measurement[]): Range {
  return range(
    mine.map((m) => m.requestsPerSecond / (baseline.find((b) => b.round === m.round)?.requestsPerSecond ?? NaN)),
  );
}

/** Where the CPU of a target's runs went; `upstream` is the upstream server's process name. */
export function cpuPerRequest(runs: Measurement[], target: Target, upstream: string, cores: number): CpuPerRequest {
  const requests = runs.reduce((sum, m) => sum + m.requests, 0);
  const used = (name: string): number => runs.reduce((sum, m) => sum + (m.cpu[name] ?? 0), 0);
  const all = runs.reduce((sum, m) => sum + Object.values(m.cpu).reduce((a, b) => a + b, 0), 0);
  const wallUs = runs.reduce((sum, m) => sum + (m.windowUs[1] - m.windowUs[0]), 0);
  const machineBusy = runs.reduce((sum, m) => sum + m.machine.busyUs, 0);
  const machineTotal = runs.reduce((sum, m) => sum + m.machine.totalUs, 0);
  return {
    proxy: target.process === undefined ? undefined : used(target.process) / requests,
    upstream: used(upstream) / requests,
    client: used(CLIENT_PROCESS) / requests,
    redis: used(REDIS_PROCESS) / requests,
    all: all / requests,
    proxyCores: target.process === undefined ? undefined : used(target.process) / wallUs,
    busyPercent: (100 * all) / (wallUs * cores),
    otherPercent: (100 * Math.max(0, machineBusy - all)) / machineTotal,
  };
}

/** One target over all rounds: medians, and its throughput against each baseline of the same rounds. */
export interface TargetSummary<Baseline extends string> {
  target: string;
  rounds: number;
  /** Requests completed in the measured rounds. */
  requests: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Round-by-round throughput ratio to each baseline target. */
  vs: Record<Baseline, Range>;
  cpu: CpuPerRequest;
}

export interface SummaryOptions<Baseline extends string> {
  /** Target names to compare every target with, by key. */
  baselines: Record<Baseline, string>;
  /** Process name of the upstream server. */
  upstreamProcess: string;
  cores: number;
}

export function summarize<Baseline extends string>(
  targets: readonly Target[],
  results: Measurement[],
  options: SummaryOptions<Baseline>,
): TargetSummary<Baseline>[] {
  const of = (name: string): Measurement[] => results.filter((m) => m.target === name);
  return targets.map((target) => {
    const runs = of(target.name);
    const vs = Object.fromEntries(
      Object.entries<string>(options.baselines).map(([key, name]) => [key, roundRatios(runs, of(name))]),
    ) as Record<Baseline, Range>;
    return {
      target: target.name,
      rounds: runs.length,
      requests: runs.reduce((sum, m) => sum + m.requests, 0),
      requestsPerSecond: median(runs.map((m) => m.requestsPerSecond)),
      p50Ms: median(runs.map((m) => m.p50Ms)),
      p99Ms: median(runs.map((m) => m.p99Ms)),
      vs,
      cpu: cpuPerRequest(runs, target, options.upstreamProcess, options.cores),
    };
  });
}
