/** Markdown for the terminal and for this benchmark's own section of bench/RESULTS.md. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { format, resolveConfig } from 'prettier';
import type { BroadcastRun, Capacity } from './capacity';
import type { Fanout, PathResult } from './fanout';
import type { Machine } from './machine';
import { median } from './stats';

const BEGIN = '<!-- bench:ws:start -->';
const END = '<!-- bench:ws:end -->';

const kib = (bytes: number): string => (bytes / 1024).toFixed(1);
const mib = (bytes: number): string => (bytes / 2 ** 20).toFixed(1);
const ms = (value: number): string => value.toFixed(value < 10 ? 2 : 1);
const ratio = (value: number): string => `${value.toFixed(value < 10 ? 2 : 1)}×`;

export function machineLine(m: Machine, limits: { bff: number; clients: number }): string {
  return (
    `- Machine: ${m.cpu}, ${String(m.cores)} cores, ${String(m.memoryGiB)} GiB, Linux ${m.kernel}; ` +
    `Node ${m.node}, Redis ${m.redis}, ws ${m.ws}; commit ${m.commit}; open-file limit ${String(limits.bff)} ` +
    `in the BFF, ${String(limits.clients)} in each client process; load average ${m.loadAtStart.toFixed(2)} when the ` +
    'run started'
  );
}

/** One capacity measurement and what distinguishes it (the Cookie header each socket's upgrade carried). */
export interface CapacityColumn {
  label: string;
  capacity: Capacity;
}

/** RSS, heap and external memory per socket, each = (with N − idle) / N; side by side when there are two. */
export function capacityTable(columns: CapacityColumn[], clients: number, sessions: number): string {
  const per = (c: Capacity, key: 'rssBytes' | 'heapUsedBytes' | 'externalBytes'): string =>
    c.open.opened > 0 ? kib((c.loaded[key] - c.idle[key]) / c.open.opened) : '–';
  const row = (name: string, cell: (c: Capacity) => string): string =>
    `| ${name} | ${columns.map((column) => cell(column.capacity)).join(' | ')} |`;
  const rows = [
    row(
      'sockets requested → ready (registered in the BFF)',
      (c) => `${String(c.requested)} → ${String(c.open.opened)} (${String(c.loaded.registered)})`,
    ),
    row(
      'time to open them all',
      (c) => `${(c.open.ms / 1000).toFixed(1)} s (${(c.open.opened / (c.open.ms / 1000)).toFixed(0)}/s)`,
    ),
    row('BFF RSS idle → with the sockets (after GC)', (c) => `${mib(c.idle.rssBytes)} → ${mib(c.loaded.rssBytes)} MiB`),
    row('**RSS per socket** = (RSS with N − RSS idle) / N', (c) => `**${per(c, 'rssBytes')} KiB**`),
    row('of which V8 heap per socket', (c) => `${per(c, 'heapUsedBytes')} KiB`),
    row('of which external (Buffers) per socket', (c) => `${per(c, 'externalBytes')} KiB`),
    row('failures', (c) => (c.open.failed > 0 ? JSON.stringify(c.open.errors) : 'none')),
  ];
  return [
    `| one instance, ${String(clients)} client processes, ${String(sessions)} sessions | ${columns.map((c) => c.label).join(' | ')} |`,
    `| --- | ${columns.map(() => '---:').join(' | ')} |`,
    ...rows,
  ].join('\n');
}

export function broadcastTable(runs: BroadcastRun[], baselineP50Ms: number): string {
  const lines = runs.map(
    (r, i) =>
      `| ${String(i + 1)} | ${String(r.received)}/${String(r.expected)} | ${ms(r.firstMs)} | ${ms(r.allMs)} | ` +
      `${((r.allMs * 1000) / Math.max(1, r.received)).toFixed(1)} | ${ms(r.bffCpuMs)} | ` +
      `${((r.bffCpuMs * 1000) / Math.max(1, r.received)).toFixed(1)} | ${ms(r.loopBlockedMs)} |`,
  );
  const allMs = median(runs.map((r) => r.allMs));
  const firstMs = median(runs.map((r) => r.firstMs));
  const cpuMs = median(runs.map((r) => r.bffCpuMs));
  const n = median(runs.map((r) => r.received));
  const blockedMs = median(runs.map((r) => r.loopBlockedMs));
  return [
    '| broadcast | sockets reached | first socket ms | all sockets ms | µs per socket | BFF CPU ms | BFF CPU µs per socket | BFF event loop blocked ms |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...lines,
    `| **median** | | ${ms(firstMs)} | **${ms(allMs)}** | ${((allMs * 1000) / n).toFixed(1)} | ${ms(cpuMs)} | ` +
      `${((cpuMs * 1000) / n).toFixed(1)} | ${ms(blockedMs)} |`,
    `| vs Redis PUBLISH→SUBSCRIBE p50 (${ms(baselineP50Ms)} ms) | | ${ratio(firstMs / baselineP50Ms)} | ` +
      `${ratio(allMs / baselineP50Ms)} | | | | |`,
  ].join('\n');
}

function pathRow(name: string, receivers: string, p: PathResult, base: PathResult): string {
  const l = p.latency;
  const b = base.latency;
  return (
    `| ${name} | ${receivers} | ${(p.published.sent / p.published.seconds).toFixed(0)} | ` +
    `${String(l.count)}/${String(p.expected)} | ${ms(l.p50Ms)} | ${ms(l.p99Ms)} | ${ms(l.p999Ms)} | ${ms(l.maxMs)} | ` +
    `${ratio(l.p50Ms / b.p50Ms)} | ${ratio(l.p99Ms / b.p99Ms)} |`
  );
}

export function fanoutTable(f: Fanout, instances: number, clients: number): string {
  return [
    '| path | receivers | msg/s sent | deliveries received/expected | p50 ms | p99 ms | p99.9 ms | max ms | p50 vs baseline | p99 vs baseline |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    pathRow(
      'Redis PUBLISH → ioredis SUBSCRIBE (baseline)',
      `${String(clients)} subscribers, one per client process`,
      f.baseline,
      f.baseline,
    ),
    pathRow(
      `PUBLISH bff:ws:user:alice → ${String(instances)} BFFs → WebSocket`,
      `${String(f.aliceSockets)} sockets of alice (+${String(f.bobSockets)} of bob)`,
      f.bff,
      f.baseline,
    ),
  ].join('\n');
}

/** Replaces (or appends) this benchmark's section and nothing else; the file is re-read right before writing. */
export async function writeSection(file: string, body: string): Promise<void> {
  const options = { ...(await resolveConfig(file)), parser: 'markdown' };
  const block = `${BEGIN}\n\n${(await format(body, options)).trim()}\n\n${END}`;
  const current = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmark results\n';
  const from = current.indexOf(BEGIN);
  const to = current.indexOf(END);
  const next =
    from >= 0 && to > from
      ? current.slice(0, from) + block + current.slice(to + END.length)
      : `${current.trimEnd()}\n\n${block}\n`;
  writeFileSync(file, next);
}

/**
 * What a bigger Cookie header costs per socket. Read on the V8 heap, where the header string lives:
 * the two instances' idle RSS differ (only the first served the logins), which blurs an RSS difference.
 */
function cookieCost(plain: Capacity, padded: Capacity, extraBytes: number): string {
  const per = (c: Capacity, key: 'rssBytes' | 'heapUsedBytes'): number => (c.loaded[key] - c.idle[key]) / c.open.opened;
  const heap = per(padded, 'heapUsedBytes') - per(plain, 'heapUsedBytes');
  const kept = heap >= extraBytes / 2;
  return (
    `With ${String(extraBytes)} more bytes of other cookies in the upgrade's Cookie header, a socket holds ` +
    `${kib(heap)} KiB more V8 heap (${(heap / extraBytes).toFixed(2)}× the added bytes; ` +
    `${kib(per(padded, 'rssBytes') - per(plain, 'rssBytes'))} KiB more RSS): ` +
    (kept
      ? 'every socket keeps its whole Cookie header alive (e.g. a session id that is a V8 slice of that header string).'
      : 'sockets do not keep their upgrade’s Cookie header (before commit fc3cd7c each did, its session id being a ' +
        'V8 slice of that header: +2.0 KiB of heap per socket with 2048 added bytes); the RSS difference comes from ' +
        'the two instances’ different idle heaps.')
  );
}

function closesText(closes: Record<string, number>): string {
  const entries = Object.entries(closes);
  if (entries.length === 0) return 'no socket was dropped during the run';
  const list = entries.map(([code, count]) => `${String(count)} × ${code}`).join(', ');
  return `sockets closed by the server: ${list} (4001 = session ended, e.g. that user logged out elsewhere on the same Redis)`;
}

/** A few sentences on what the figures say, computed from them. */
export function interpretation(
  c: Capacity,
  runs: BroadcastRun[],
  f: Fanout,
  instances: number,
  padded?: { capacity: Capacity; extraBytes: number },
): string {
  const n = c.open.opened;
  const perSocket = n > 0 ? (c.loaded.rssBytes - c.idle.rssBytes) / n : NaN;
  const allMs = median(runs.map((r) => r.allMs));
  const cpuMs = median(runs.map((r) => r.bffCpuMs));
  const reachedAll = runs.every((r) => r.received === r.expected);
  const exact = f.bff.latency.count === f.bff.expected && f.misdelivered === 0;
  return [
    `- Memory: each open socket costs the BFF about ${kib(perSocket)} KiB of RSS, so ${String(n)} sockets take ` +
      `${mib(perSocket * n)} MiB and 1 GiB holds about ${String(Math.floor(2 ** 30 / perSocket / 1000))}k sockets ` +
      `(file descriptors, not memory, are the first limit here).` +
      (padded ? ` ${cookieCost(c, padded.capacity, padded.extraBytes)}` : ''),
    `- Broadcast: one frame on \`bff:ws:broadcast\` reached ${reachedAll ? 'all' : 'NOT all'} ${String(n)} sockets ` +
      `in ${ms(allMs)} ms (median of ${String(runs.length)}), ${((allMs * 1000) / n).toFixed(1)} µs per socket; the BFF ` +
      `itself spent ${ms(cpuMs)} ms of CPU (${((cpuMs * 1000) / n).toFixed(1)} µs per socket), the rest is the ` +
      `client processes reading the frames on the same 2 cores. Frames go out 1000 sockets per event-loop turn, ` +
      `so the longest stall of the instance's event loop was ${ms(median(runs.map((r) => r.loopBlockedMs)))} ms ` +
      '(median; it was about 170 ms when one loop sent to every socket at once).',
    `- Fan-out across ${String(instances)} instances: p50 ${ms(f.bff.latency.p50Ms)} ms / p99 ` +
      `${ms(f.bff.latency.p99Ms)} ms from PUBLISH to a tab's WebSocket, against ${ms(f.baseline.latency.p50Ms)} / ` +
      `${ms(f.baseline.latency.p99Ms)} ms for Redis PUBLISH→SUBSCRIBE alone (${ratio(f.bff.latency.p50Ms / f.baseline.latency.p50Ms)} ` +
      `at p50): the BFF's hop (one more parse, a send per socket, the WebSocket frame) adds ` +
      `${ms(f.bff.latency.p50Ms - f.baseline.latency.p50Ms)} ms at p50. ` +
      `The BFFs spent ${f.bffCpuUsPerFrame.map((us) => us.toFixed(1)).join(' / ')} µs of CPU per frame sent.`,
    `- Delivery: ${exact ? 'exactly once to each of alice’s sockets, none to bob’s' : `${String(f.bff.latency.count)} of ${String(f.bff.expected)} expected deliveries, ${String(f.misdelivered)} to the wrong user`}; ` +
      `${closesText(f.unexpectedCloses)}.`,
  ].join('\n');
}
