/** Markdown for the terminal and for the generated sections of bench/RESULTS.md. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { format, resolveConfig } from 'prettier';
import type { Machine } from './machine';
import type { TargetSummary } from './summary';

/** The throughput the BFF must keep, as a fraction of the bare proxy's, measured in the same run. */
export const TARGET_RATIO = 0.85;

export interface Names {
  direct: string;
  bare: string;
  bff: string;
  bffNoCache: string;
}

const fixed = (value: number, digits: number): string => value.toFixed(digits);

function find(rows: TargetSummary[], name: string): TargetSummary {
  const found = rows.find((row) => row.target === name);
  if (!found) throw new Error(`no measurement of ${name}`);
  return found;
}

/** Throughput and latency; medians over the rounds, with the spread of the per-round ratio to bare. */
export function resultsTable(rows: TargetSummary[]): string {
  const lines = rows.map((r) => {
    const spread = r.rounds > 1 ? `${fixed(r.vsBare.min, 2)}–${fixed(r.vsBare.max, 2)}` : '';
    return (
      `| ${r.target} | ${fixed(r.requestsPerSecond, 0)} | ${fixed(r.p50Ms, 0)} | ${fixed(r.p99Ms, 0)} | ` +
      `${fixed(r.vsBare.median, 2)} | ${spread} | ${fixed(r.vsDirect.median, 2)} |`
    );
  });
  return [
    '| target | req/s | p50 ms | p99 ms | vs bare | vs bare, range over rounds | vs direct |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...lines,
  ].join('\n');
}

/** Where the CPU went, per request and per process, over all rounds. */
export function cpuTable(rows: TargetSummary[]): string {
  const optional = (value: number | undefined, digits: number): string =>
    value === undefined ? '–' : fixed(value, digits);
  const lines = rows.map(
    ({ target, cpu }) =>
      `| ${target} | ${optional(cpu.proxy, 0)} | ${fixed(cpu.upstream, 0)} | ${fixed(cpu.client, 0)} | ` +
      `${fixed(cpu.redis, 0)} | ${fixed(cpu.all, 0)} | ${optional(cpu.proxyCores, 2)} | ${fixed(cpu.busyPercent, 0)}% | ` +
      `${fixed(cpu.otherPercent, 0)}% |`,
  );
  return [
    '| target | proxy | upstream | autocannon | Redis | all processes | proxy process, cores | machine: ours | machine: other |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...lines,
  ].join('\n');
}

/** Whether the proxies' own event loops were the bottleneck, which makes their CPU per request the lever. */
function saturation(bare: TargetSummary, bff: TargetSummary): string {
  const cores = [bare.cpu.proxyCores ?? 0, bff.cpu.proxyCores ?? 0];
  const loads = `${fixed(cores[0] ?? 0, 2)} and ${fixed(cores[1] ?? 0, 2)} cores`;
  if (Math.min(...cores) < 0.9) return `The two proxy processes used ${loads}.`;
  const budget = (bare.cpu.proxy ?? 0) / TARGET_RATIO;
  return (
    `Both proxy processes were CPU-bound (${loads}; one event loop cannot use more than one), so ` +
    `throughput follows the inverse of CPU per request: ${fixed(TARGET_RATIO, 2)}× needs the BFF at ` +
    `${fixed(budget, 0)} µs or less.`
  );
}

/** Busy CPU outside the run's processes (beyond kernel networking threads) means the figures are disturbed. */
const OTHER_LOAD_WARNING_PERCENT = 10;

function quietness(rows: TargetSummary[]): string {
  const worst = Math.max(...rows.map((row) => row.cpu.otherPercent));
  return worst > OTHER_LOAD_WARNING_PERCENT
    ? `- **Disturbed run**: up to ${fixed(worst, 0)}% of the machine's CPU went to processes outside the benchmark; ` +
        'rerun on a quiet machine before drawing conclusions.'
    : `- Quiet machine: at most ${fixed(worst, 0)}% of its CPU went to anything outside the benchmark's processes.`;
}

/** The ratios that matter, in words; `refreshes` is the IdP's refresh grants during the measured runs. */
export function interpretation(rows: TargetSummary[], names: Names, refreshes: number): string {
  const bff = find(rows, names.bff);
  const noCache = find(rows, names.bffNoCache);
  const bare = find(rows, names.bare);
  const verdict = bff.vsBare.median >= TARGET_RATIO ? 'meets' : 'misses';
  const proxyCpu = (row: TargetSummary): number => row.cpu.proxy ?? 0;
  return [
    `- BFF with the session cache: **${fixed(bff.vsBare.median, 2)}× the bare proxy** (median of ` +
      `${String(bff.rounds)} rounds), which ${verdict} the ${fixed(TARGET_RATIO, 2)}× target. Its process spends ` +
      `${fixed(proxyCpu(bff), 0)} µs of CPU per request against the bare proxy's ${fixed(proxyCpu(bare), 0)} µs ` +
      `(${fixed(proxyCpu(bff) / proxyCpu(bare), 2)}×). ${saturation(bare, bff)}`,
    `- BFF without it (Redis GET + HKDF + AES-GCM open on every request): ${fixed(noCache.vsBare.median, 2)}× bare, ` +
      `${fixed(proxyCpu(noCache), 0)} µs per request in the BFF plus ${fixed(noCache.cpu.redis, 0)} µs in Redis; ` +
      `the cache is worth ${fixed(bff.requestsPerSecond / noCache.requestsPerSecond, 2)}× throughput.`,
    `- Any proxy costs most of the direct throughput here: the bare proxy runs at ${fixed(bare.vsDirect.median, 2)}× ` +
      'the upstream direct, since client, proxy and upstream share the same cores and the proxy does two ' +
      'HTTP exchanges per request.',
    `- Token refreshes at the IdP during the measured runs: ${String(refreshes)} (access tokens live 1 h).`,
    quietness(rows),
  ].join('\n');
}

export function machineLines(machine: Machine): string {
  return [
    `- Machine: ${machine.cpu}, ${String(machine.cores)} cores, ${String(machine.memoryGiB)} GiB, Linux ${machine.kernel}`,
    `- Node ${machine.node}, Redis ${machine.redis}, autocannon ${machine.autocannon}; commit ${machine.commit}`,
  ].join('\n');
}

/**
 * Replaces the block between this key's markers in RESULTS.md (appends it the first time), keeping
 * the rest, and formats the file with the project's Prettier settings so `format:check` stays green.
 */
export async function writeSection(file: string, key: string, body: string): Promise<void> {
  const begin = `<!-- ${key}:begin (generated by the script; edits inside are overwritten) -->`;
  const end = `<!-- ${key}:end -->`;
  const block = `${begin}\n${body.trim()}\n${end}`;
  const current = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmark results\n';
  const from = current.indexOf(`<!-- ${key}:begin`);
  const to = current.indexOf(end);
  const next =
    from >= 0 && to > from
      ? current.slice(0, from) + block + current.slice(to + end.length)
      : `${current.trimEnd()}\n\n${block}\n`;
  writeFileSync(file, await format(next, { ...(await resolveConfig(file)), filepath: file }));
}
