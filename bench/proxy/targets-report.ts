/**
 * bench:proxy's rows of issues 13 and 14, in words: the headline (the BFF at production
 * defaults) against the bare proxy and the peer, the DPoP row and the tracing row against the
 * headline. Every ratio is taken round by round within the run.
 */
import type { Range } from '../common/summary';
import { find, fixed, saturation, type TargetSummary } from './report';
import type { StackTotals } from './stack';
import { OTLP_PROTOCOL } from './variants';

/** Issue 14: the BFF at production defaults against the bare reply-from proxy and the peer. */
export const HEADLINE_VS_BARE = 1;
export const HEADLINE_VS_PEER = 4;
/** Issue 13: a fresh DPoP proof per request costs at most this share of the headline's throughput. */
export const DPOP_MAX_COST = 0.25;
/** Issue 14: tracing on (100% sampled, exported) costs at most this share. */
export const TRACING_MAX_COST = 0.15;

export interface TargetNames {
  bare: string;
  peer: string;
  bff: string;
  bffDefaults: string;
  bffDefaultsTwin: string;
  bffDpop: string;
  bffTracing: string;
}

const verdict = (met: boolean): string => (met ? '**met**' : '**missed**');
const spread = (range: Range, rounds: number): string =>
  rounds > 1 ? ` (${fixed(range.min, 2)}–${fixed(range.max, 2)} over the rounds)` : '';
const cpu = (row: TargetSummary): number => row.cpu.proxy ?? 0;
const percent = (share: number): string => `${fixed(100 * share, 0)}%`;
const signed = (value: number): string => `${value >= 0 ? '+' : ''}${fixed(value, 0)}`;

/** The second headline process against the first: what two processes of one build differ by here. */
function aaLine(rows: TargetSummary[], names: TargetNames): string {
  const twin = find(rows, names.bffDefaultsTwin);
  const first = find(rows, names.bffDefaults);
  return (
    `- A/A: a second process of the headline's build and configuration ran at ` +
    `**${fixed(twin.vs.headline.median, 2)}× the first**${spread(twin.vs.headline, twin.rounds)}, ` +
    `${fixed(cpu(twin), 0)} against ${fixed(cpu(first), 0)} µs of CPU per request: two rows of this run that ` +
    'differ by less than that may not differ at all.'
  );
}

function headline(rows: TargetSummary[], names: TargetNames, totals: StackTotals, processName: string): string[] {
  const row = find(rows, names.bffDefaults);
  const bare = find(rows, names.bare);
  const peer = find(rows, names.peer);
  const tuned = find(rows, names.bff);
  const lines = totals.logLines[processName] ?? 0;
  return [
    `- **Headline, the BFF at production defaults** (as \`npm start\` runs it: BFF_LOG_LEVEL=info with the ` +
      'access log, written to a pipe the benchmark drains, metrics on): ' +
      `**${fixed(row.vs.bare.median, 2)}× the bare reply-from proxy**${spread(row.vs.bare, row.rounds)}, target ` +
      `≥ ${fixed(HEADLINE_VS_BARE, 2)}× ${verdict(row.vs.bare.median >= HEADLINE_VS_BARE)}; ` +
      `**${fixed(row.vs.peer.median, 2)}× the peer** (express-openid-connect + http-proxy-middleware, measured in ` +
      `this run)${spread(row.vs.peer, row.rounds)}, target ≥ ${String(HEADLINE_VS_PEER)}× ` +
      `${verdict(row.vs.peer.median >= HEADLINE_VS_PEER)}. p99 ${fixed(row.p99Ms, 0)} ms against the peer's ` +
      `${fixed(peer.p99Ms, 0)} ms and the bare proxy's ${fixed(bare.p99Ms, 0)} ms.`,
    `- CPU per request: headline ${fixed(cpu(row), 0)} µs, bare proxy ${fixed(cpu(bare), 0)} µs, peer ` +
      `${fixed(cpu(peer), 0)} µs; the tuned BFF (error logging only) ${fixed(cpu(tuned), 0)} µs, ` +
      `${signed(cpu(row) - cpu(tuned))} µs per request for the info access line and its pipe` +
      // Two processes running the same code differ by some µs; a negative cost is that spread.
      `${cpu(row) < cpu(tuned) ? ' (below zero: within the spread between two BFF processes)' : ''}. ` +
      saturation(bare, row, HEADLINE_VS_BARE),
    aaLine(rows, names),
    `- Access log: one \`request completed\` line per request was checked before measuring; over the run the ` +
      `headline BFF wrote ${String(lines)} lines to its stdout pipe, which the benchmark's process read and discarded.`,
  ];
}

function dpop(rows: TargetSummary[], names: TargetNames): string {
  const row = find(rows, names.bffDpop);
  const base = find(rows, names.bffDefaults);
  const cost = 1 - row.vs.headline.median;
  return (
    `- DPoP (issue 13): the same user route with a DPoP-bound token from the dev IdP in FAPI 2.0 mode ` +
    `(private_key_jwt, \`OIDC_PROFILE=fapi2\`), a fresh ES256 proof per request, the upstream only echoing: ` +
    `**${fixed(row.vs.headline.median, 2)}× the headline**${spread(row.vs.headline, row.rounds)}, a cost of ` +
    `${percent(cost)}, target ≤ ${percent(DPOP_MAX_COST)} ${verdict(cost <= DPOP_MAX_COST)}. ` +
    `**CPU per proof: ${fixed(cpu(row) - cpu(base), 0)} µs** (the BFF's ${fixed(cpu(row), 0)} against ` +
    `${fixed(cpu(base), 0)} µs of CPU per request).`
  );
}

function tracing(rows: TargetSummary[], names: TargetNames, totals: StackTotals): string {
  const row = find(rows, names.bffTracing);
  const base = find(rows, names.bffDefaults);
  const cost = 1 - row.vs.headline.median;
  const spans = totals.collector.spans ?? 0;
  const requests = row.requests;
  const measured =
    `**${fixed(row.vs.headline.median, 2)}× the headline**${spread(row.vs.headline, row.rounds)}, ` +
    `${percent(Math.max(0, cost))} below it, target ≤ ${percent(TRACING_MAX_COST)}`;
  if (spans === 0) {
    return (
      `- Tracing (issue 14): **no spans received** by the collector stub (${String(totals.collector.exports ?? 0)} ` +
      'exports): this BFF does not read the OTEL_* variables yet, so the tracing row measured it without ' +
      `tracing (${measured}; BFF ${fixed(cpu(row), 0)} against ${fixed(cpu(base), 0)} µs of CPU per request). ` +
      'The row becomes real once tracing lands.'
    );
  }
  return (
    `- Tracing (issue 14): 100% sampled, OTLP/HTTP (${OTLP_PROTOCOL}) to a collector stub in its own process: ${measured} ` +
    `${verdict(cost <= TRACING_MAX_COST)}; the BFF spends ${fixed(cpu(row) - cpu(base), 0)} µs more CPU per ` +
    `request (${fixed(cpu(row), 0)} against ${fixed(cpu(base), 0)}). The collector received ${String(spans)} spans ` +
    `in ${String(totals.collector.exports ?? 0)} exports, ${fixed(spans / Math.max(1, requests), 2)} per measured ` +
    'request (warm-up and checks included in the count).'
  );
}

/** The lines for the rows of issues 13 and 14; `headlineProcess` names the headline BFF's process. */
export function targetLines(
  rows: TargetSummary[],
  names: TargetNames,
  totals: StackTotals,
  headlineProcess: string,
): string {
  return [...headline(rows, names, totals, headlineProcess), dpop(rows, names), tracing(rows, names, totals)].join(
    '\n',
  );
}
