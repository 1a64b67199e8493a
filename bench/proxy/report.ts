/** bench:proxy's tables and conclusions (the shared pieces are in common/report.ts). */
import { quietness } from '../common/report';
import type { TargetSummary as Summary } from '../common/summary';

/** A row of bench:proxy: throughput against the bare proxy, the upstream direct, the peer and the headline row. */
export type TargetSummary = Summary<'bare' | 'direct' | 'peer' | 'headline'>;

/** The throughput the tuned BFF must keep, as a fraction of the bare proxy's, measured in the same run. */
export const TARGET_RATIO = 0.85;
/** bench:proxy's target for the client and exchange routes against the user route. */
const POLICY_TARGET_RATIO = 0.95;

export interface Names {
  direct: string;
  bare: string;
  bareUndici: string;
  bff: string;
  bffNoCache: string;
}

export const fixed = (value: number, digits: number): string => value.toFixed(digits);

export function find(rows: TargetSummary[], name: string): TargetSummary {
  const found = rows.find((row) => row.target === name);
  if (!found) throw new Error(`no measurement of ${name}`);
  return found;
}

/** Throughput and latency; medians over the rounds, with the spread of the per-round ratio to bare. */
export function resultsTable(rows: TargetSummary[]): string {
  const lines = rows.map((r) => {
    const spread = r.rounds > 1 ? `${fixed(r.vs.bare.min, 2)}–${fixed(r.vs.bare.max, 2)}` : '';
    return (
      `| ${r.target} | ${fixed(r.requestsPerSecond, 0)} | ${fixed(r.p50Ms, 0)} | ${fixed(r.p99Ms, 0)} | ` +
      `${fixed(r.vs.bare.median, 2)} | ${spread} | ${fixed(r.vs.peer.median, 2)} | ${fixed(r.vs.headline.median, 2)} | ` +
      `${fixed(r.vs.direct.median, 2)} |`
    );
  });
  return [
    '| target | req/s | p50 ms | p99 ms | vs bare | vs bare, range over rounds | vs peer | vs headline | vs direct |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...lines,
  ].join('\n');
}

/** Whether the proxies' own event loops were the bottleneck, which makes their CPU per request the lever. */
export function saturation(bare: TargetSummary, bff: TargetSummary, ratio = TARGET_RATIO): string {
  const cores = [bare.cpu.proxyCores ?? 0, bff.cpu.proxyCores ?? 0];
  const loads = `${fixed(cores[0] ?? 0, 2)} and ${fixed(cores[1] ?? 0, 2)} cores`;
  if (Math.min(...cores) < 0.9) return `The two proxy processes used ${loads}.`;
  const budget = (bare.cpu.proxy ?? 0) / ratio;
  return (
    `Both proxy processes were CPU-bound (${loads}; one event loop cannot use more than one), so ` +
    `throughput follows the inverse of CPU per request: ${fixed(ratio, 2)}× needs the BFF at ` +
    `${fixed(budget, 0)} µs or less.`
  );
}

/** The ratios that matter, in words; `refreshes` is the IdP's refresh grants during the measured runs. */
export function interpretation(rows: TargetSummary[], names: Names, refreshes: number): string {
  const bff = find(rows, names.bff);
  const noCache = find(rows, names.bffNoCache);
  const bare = find(rows, names.bare);
  const engine = find(rows, names.bareUndici);
  const verdict = bff.vs.bare.median >= TARGET_RATIO ? 'meets' : 'misses';
  const proxyCpu = (row: TargetSummary): number => row.cpu.proxy ?? 0;
  return [
    `- Tuned BFF (error logging only) with the session cache: **${fixed(bff.vs.bare.median, 2)}× the bare proxy** (median of ` +
      `${String(bff.rounds)} rounds), which ${verdict} the ${fixed(TARGET_RATIO, 2)}× target. Its process spends ` +
      `${fixed(proxyCpu(bff), 0)} µs of CPU per request against the bare proxy's ${fixed(proxyCpu(bare), 0)} µs ` +
      `(${fixed(proxyCpu(bff) / proxyCpu(bare), 2)}×). ${saturation(bare, bff)}`,
    `- Against a bare proxy on the BFF's own engine (undici's dispatcher, ${fixed(engine.vs.bare.median, 2)}× ` +
      `the reply-from one): ${fixed(bff.requestsPerSecond / engine.requestsPerSecond, 2)}×, ` +
      `${fixed(proxyCpu(bff), 0)} against ${fixed(proxyCpu(engine), 0)} µs of CPU per request. The difference is ` +
      'what the BFF does per request: cookie and ticket parsing, the session cache, CSRF, method and path checks, ' +
      'header filtering and token injection, security headers, metrics and request ids.',
    `- BFF without the session cache (Redis GET + HKDF + AES-GCM open on every request): ${fixed(noCache.vs.bare.median, 2)}× bare, ` +
      `${fixed(proxyCpu(noCache), 0)} µs per request in the BFF plus ${fixed(noCache.cpu.redis, 0)} µs in Redis; ` +
      `the cache is worth ${fixed(bff.requestsPerSecond / noCache.requestsPerSecond, 2)}× throughput.`,
    `- Any proxy costs most of the direct throughput here: the bare proxy runs at ${fixed(bare.vs.direct.median, 2)}× ` +
      'the upstream direct, since client, proxy and upstream share the same cores and the proxy does two ' +
      'HTTP exchanges per request.',
    `- Token refreshes at the IdP during the measured runs: ${String(refreshes)} (access tokens live 1 h).`,
    quietness(rows),
  ].join('\n');
}

/** The token policies at steady state (tokens cached), against the user route of a BFF configured the same. */
export function policyLines(rows: TargetSummary[], user: string, client: string, exchange: string): string {
  const base = find(rows, user).requestsPerSecond;
  const ratio = (name: string): number => find(rows, name).requestsPerSecond / base;
  const cpu = (name: string): string => fixed(find(rows, name).cpu.proxy ?? 0, 0);
  const verdict = Math.min(ratio(client), ratio(exchange)) >= POLICY_TARGET_RATIO ? 'meets' : 'misses';
  return (
    `- Route token policies at steady state (tokens cached, one session, each route in a BFF process of its own): a \`client\` route runs at ` +
    `**${fixed(ratio(client), 2)}×** and an \`exchange\` route at **${fixed(ratio(exchange), 2)}×** the \`user\` route, ` +
    `which ${verdict} the ${fixed(POLICY_TARGET_RATIO, 2)}× target; the BFF processes spent ${cpu(user)}, ${cpu(client)} and ` +
    `${cpu(exchange)} µs of CPU per request on them.`
  );
}
