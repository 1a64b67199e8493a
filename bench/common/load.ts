/** Drives one target with autocannon, after checking that a single request is answered right. */
import autocannon from 'autocannon';
import { cpuBetween, machineCpu, type CpuMeter, type CpuSnapshot, type MachineCpu } from './cpu';
import { JSON_1K } from './proxied-get';

export interface Target {
  name: string;
  url: string;
  headers: Record<string, string>;
  /** The name of the proxy process under test; none for the upstream measured directly. */
  process?: string;
}

export interface LoadSettings {
  connections: number;
  warmupSeconds: number;
  durationSeconds: number;
}

/** One measured run of one target. */
export interface Measurement {
  target: string;
  round: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  /** Wall-clock window of the measured run, process.hrtime in µs (the clock V8 profiles use on Linux). */
  windowUs: [number, number];
  /** CPU µs each process used during the run. */
  cpu: CpuSnapshot;
  /** The whole machine's CPU during the run (all processes, ours and others). */
  machine: MachineCpu;
}

const VERIFY_TIMEOUT_MS = 5_000;

/** One request must come back 200 with exactly the upstream's 1 KiB body, or nothing is measured. */
export async function verifyTarget(target: Target): Promise<void> {
  const response = await fetch(target.url, { headers: target.headers, signal: AbortSignal.timeout(VERIFY_TIMEOUT_MS) });
  const body = await response.text();
  if (response.status !== 200 || body !== JSON_1K) {
    throw new Error(
      `${target.name}: expected 200 with the 1 KiB JSON body, got ${String(response.status)} ` +
        `(${String(Buffer.byteLength(body))} bytes): ${body.slice(0, 200)}`,
    );
  }
}

function nowUs(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

/** Anything but 2xx (or a socket error, a timeout) makes the figures meaningless: fail loudly. */
function assertClean(target: Target, phase: string, result: autocannon.Result): void {
  const bad = { non2xx: result.non2xx, errors: result.errors, timeouts: result.timeouts };
  if (result.non2xx > 0 || result.errors > 0 || result.timeouts > 0 || result['2xx'] === 0) {
    throw new Error(
      `${target.name} (${phase}): ${JSON.stringify(bad)}, status codes ${JSON.stringify(result.statusCodeStats)}`,
    );
  }
  // Each answer carries the 1 KiB body plus headers; fewer bytes means something else was served.
  const bytesPerResponse = result.throughput.total / result.requests.total;
  if (bytesPerResponse < JSON_1K.length) {
    throw new Error(`${target.name} (${phase}): ${bytesPerResponse.toFixed(0)} bytes per response, expected > 1 KiB`);
  }
}

function run(target: Target, settings: LoadSettings, seconds: number): Promise<autocannon.Result> {
  return autocannon({
    url: target.url,
    headers: target.headers,
    connections: settings.connections,
    pipelining: 1,
    duration: seconds,
    timeout: 10,
  });
}

/** JIT, pools and keep-alive sockets warm before anything is measured; must be clean too. */
export async function warmUp(target: Target, settings: LoadSettings): Promise<void> {
  if (settings.warmupSeconds > 0) assertClean(target, 'warm-up', await run(target, settings, settings.warmupSeconds));
}

export async function measure(
  target: Target,
  settings: LoadSettings,
  round: number,
  meter: CpuMeter,
): Promise<Measurement> {
  const cpuBefore = await meter.snapshot();
  const machineBefore = machineCpu();
  const start = nowUs();
  const result = await run(target, settings, settings.durationSeconds);
  const end = nowUs();
  const machineAfter = machineCpu();
  const cpu = cpuBetween(cpuBefore, await meter.snapshot());
  assertClean(target, `measured run ${String(round)}`, result);
  return {
    target: target.name,
    round,
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    requests: result.requests.total,
    windowUs: [start, end],
    cpu,
    machine: {
      busyUs: machineAfter.busyUs - machineBefore.busyUs,
      totalUs: machineAfter.totalUs - machineBefore.totalUs,
    },
  };
}

/**
 * Every target once per round, in the same order, so each ratio compares neighbours in time;
 * each target is warmed up just before its first measured run.
 */
function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/**
 * The order of the targets in one round: round 1 as listed, later rounds in other orders
 * (index × m mod n for an odd m coprime with n), so that no target always runs late in a round.
 * Targets that share a process measured slower the later they ran (bench:proxy's user, client
 * and exchange routes, when they shared one BFF: whichever came last was the slowest, by up to 15%).
 */
export function roundOrder<T>(targets: readonly T[], round: number): T[] {
  const n = targets.length;
  let m = 2 * round - 1;
  while (n > 1 && gcd(m % n, n) !== 1) m += 2;
  return targets
    .map((target, index) => ({ target, key: (index * m) % Math.max(n, 1) }))
    .sort((a, b) => a.key - b.key)
    .map(({ target }) => target);
}

export async function measureRounds(
  targets: readonly Target[],
  settings: LoadSettings,
  rounds: number,
  meter: CpuMeter,
): Promise<Measurement[]> {
  const results: Measurement[] = [];
  for (let round = 1; round <= rounds; round += 1) {
    for (const target of roundOrder(targets, round)) {
      console.log(`[bench] round ${String(round)}/${String(rounds)}: ${target.name}`);
      if (round === 1) await warmUp(target, settings);
      results.push(await measure(target, settings, round, meter));
    }
  }
  return results;
}
