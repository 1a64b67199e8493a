/** Markdown for BENCH_CPU_PROF=1 runs: where each proxy's CPU goes, per request. */
import type { ProfileSummary } from './profile';

export interface Profiled {
  target: string;
  /** Where the profile is, as shown (relative to the repository). */
  path: string;
  summary: ProfileSummary;
  /** Requests completed in the profiled windows, to turn µs into µs per request. */
  requests: number;
}

const ROWS = 12;
const fixed = (value: number, digits: number): string => value.toFixed(digits);
const cell = (label: string): string => label.replace(/\|/g, '\\|');

function largest(totals: Map<string, number>, count = ROWS): [string, number][] {
  return [...totals].sort((a, b) => b[1] - a[1]).slice(0, count);
}

/**
 * Self time by package / subsystem, µs per request, side by side; sorted by how much more the
 * second profile (the BFF with its cache) spends than the first (the bare proxy).
 */
function comparison(profiles: Profiled[]): string {
  const [base, bff] = profiles;
  if (!base || !bff) return '';
  const perRequest = (p: Profiled, key: string): number => (p.summary.byCategory.get(key) ?? 0) / p.requests;
  const keys = new Set(profiles.flatMap((p) => [...p.summary.byCategory.keys()]));
  const rows = [...keys]
    .map((key) => ({ key, extra: perRequest(bff, key) - perRequest(base, key) }))
    .sort((a, b) => Math.abs(b.extra) - Math.abs(a.extra))
    .slice(0, ROWS + 4)
    .map(({ key, extra }) => {
      const values = profiles.map((p) => fixed(perRequest(p, key), 1));
      return `| ${cell(key)} | ${values.join(' | ')} | ${extra >= 0 ? '+' : ''}${fixed(extra, 1)} |`;
    });
  const totals = profiles.map((p) => fixed(p.summary.busyUs / p.requests, 1));
  const totalExtra = bff.summary.busyUs / bff.requests - base.summary.busyUs / base.requests;
  return [
    `Self time in µs of CPU per request, by package / Node subsystem; sorted by the difference ` +
      `${bff.target} − ${base.target}:`,
    '',
    `| where | ${profiles.map((p) => p.target).join(' | ')} | difference |`,
    `| --- | ${profiles.map(() => '---:').join(' | ')} | ---: |`,
    ...rows,
    `| **all (busy)** | ${totals.join(' | ')} | ${totalExtra >= 0 ? '+' : ''}${fixed(totalExtra, 1)} |`,
  ].join('\n');
}

function table(title: string, totals: Map<string, number>, profile: Profiled): string {
  const rows = largest(totals).map(
    ([label, us]) =>
      `| ${cell(label)} | ${fixed(us / profile.requests, 1)} | ${fixed((100 * us) / profile.summary.busyUs, 1)} |`,
  );
  return [`| ${title} | µs/request | % of busy |`, '| --- | ---: | ---: |', ...rows].join('\n');
}

function oneProfile(profile: Profiled): string {
  const { summary } = profile;
  const idle = (100 * summary.idleUs) / (summary.idleUs + summary.busyUs);
  const parts = [
    `#### ${profile.target}`,
    `${fixed(summary.busyUs / 1e6, 1)} s of CPU over ${String(profile.requests)} requests in the measured ` +
      `windows (${fixed(summary.busyUs / profile.requests, 1)} µs each; event loop idle ${fixed(idle, 0)}%). ` +
      `Profile: \`${profile.path}\`.`,
    table('function (self time)', summary.byFunction, profile),
  ];
  if (summary.ownInclusive.size > 0) {
    parts.push(table("the BFF's own code (inclusive time)", summary.ownInclusive, profile));
  }
  return parts.join('\n\n');
}

export function profilesMarkdown(profiles: Profiled[]): string {
  return [comparison(profiles), ...profiles.map(oneProfile)].filter((part) => part !== '').join('\n\n');
}
