/**
 * Capacity: how much memory the BFF holds per open socket, and how long a broadcast takes to
 * reach all of them. The sockets are many tabs of a handful of sessions (alice and bob),
 * spread over several client processes because one process may hold only RLIMIT_NOFILE of them.
 */
import type Redis from 'ioredis';
import type { Child } from './child';
import type { BroadcastStatus, MemoryReply, OpenReply } from './protocol';
import { BENCH_FRAME_TYPE, monotonicUs } from './protocol';
import type { Instance, Session } from './stack';
import { mergeCounts, shares } from './stats';

export interface OpenSettings {
  /** Upgrades in flight per client process. */
  concurrency: number;
  timeoutMs: number;
}

/** Opens `count` sockets on one instance, shared out over the client processes; waits for all. */
export async function openOn(
  clients: Child[],
  instance: Instance,
  sessions: Session[],
  count: number,
  group: string,
  settings: OpenSettings,
): Promise<OpenReply> {
  const cookies = sessions.map((session) => session.cookie);
  const started = performance.now();
  const replies = await Promise.all(
    shares(count, clients.length).map((share, index) =>
      share === 0
        ? Promise.resolve<OpenReply>({ opened: 0, failed: 0, errors: {}, ms: 0 })
        : (clients[index] as Child).request<OpenReply>(
            { type: 'open', group, url: instance.wsUrl, origin: instance.origin, cookies, count: share, ...settings },
            settings.timeoutMs + 120_000,
          ),
    ),
  );
  return {
    opened: replies.reduce((sum, r) => sum + r.opened, 0),
    failed: replies.reduce((sum, r) => sum + r.failed, 0),
    errors: mergeCounts(replies.map((r) => r.errors)),
    ms: performance.now() - started,
  };
}

export function closeGroup(clients: Child[], group: string): Promise<number[]> {
  return Promise.all(clients.map((client) => client.request<number>({ type: 'close-sockets', group }, 30_000)));
}

export interface Capacity {
  requested: number;
  open: OpenReply;
  idle: MemoryReply;
  loaded: MemoryReply;
}

/**
 * Idle memory is read after a small warm-up batch of sockets has come and gone (so the code
 * paths are loaded and compiled in both readings), then N sockets are opened and memory read
 * again; both after a full GC.
 */
export async function measureCapacity(
  clients: Child[],
  instance: Instance,
  sessions: Session[],
  requested: number,
  settings: OpenSettings,
): Promise<Capacity> {
  const warmUp = await openOn(clients, instance, sessions, Math.min(200, requested), 'warm-up', settings);
  if (warmUp.opened === 0) throw new Error(`no socket could be opened: ${JSON.stringify(warmUp.errors)}`);
  await closeGroup(clients, 'warm-up');
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const idle = await instance.child.request<MemoryReply>({ type: 'memory' }, 30_000);
  console.log(`[bench] idle: RSS ${mib(idle.rssBytes)} MiB, ${String(idle.registered)} sockets registered`);
  const open = await openOn(clients, instance, sessions, requested, 'capacity', settings);
  console.log(
    `[bench] ${String(open.opened)}/${String(requested)} sockets ready in ${(open.ms / 1000).toFixed(1)} s` +
      (open.failed ? `; failures: ${JSON.stringify(open.errors)}` : ''),
  );
  // Let the last handshakes' garbage and timers settle before reading.
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  const loaded = await instance.child.request<MemoryReply>({ type: 'memory' }, 60_000);
  console.log(`[bench] loaded: RSS ${mib(loaded.rssBytes)} MiB, ${String(loaded.registered)} sockets registered`);
  return { requested, open, idle, loaded };
}

export interface BroadcastRun {
  received: number;
  expected: number;
  firstMs: number;
  allMs: number;
  /** CPU time the BFF used from the publish until the last socket had the frame. */
  bffCpuMs: number;
  /** The longest the BFF's event loop was blocked meanwhile (it serves nothing else then). */
  loopBlockedMs: number;
}

async function statusOf(clients: Child[], id: number): Promise<BroadcastStatus[]> {
  return Promise.all(
    clients.map((client) => client.request<BroadcastStatus>({ type: 'broadcast-status', broadcast: id })),
  );
}

/** One frame on bff:ws:broadcast, timed until every socket (in every client process) has it. */
export async function broadcastOnce(
  redis: Redis,
  clients: Child[],
  bff: Child,
  id: number,
  expected: number,
): Promise<BroadcastRun> {
  await bff.request<number>({ type: 'loop-delay' });
  // The probe drops the first interval after a reset: let one pass before the frame is published.
  await new Promise((resolve) => setTimeout(resolve, 20));
  const cpuBefore = await bff.request<NodeJS.CpuUsage>({ type: 'cpu' });
  const sentUs = monotonicUs();
  await redis.publish('bff:ws:broadcast', JSON.stringify({ type: BENCH_FRAME_TYPE, data: { t: sentUs, b: id } }));
  const deadline = performance.now() + 30_000;
  let statuses = await statusOf(clients, id);
  const received = (): number => statuses.reduce((sum, s) => sum + s.received, 0);
  while (received() < expected && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    statuses = await statusOf(clients, id);
  }
  const cpuAfter = await bff.request<NodeJS.CpuUsage>({ type: 'cpu' });
  const loopBlockedMs = await bff.request<number>({ type: 'loop-delay' });
  const reached = statuses.filter((s) => s.received > 0);
  return {
    received: received(),
    expected,
    firstMs: (Math.min(...reached.map((s) => s.firstUs)) - sentUs) / 1000,
    allMs: (Math.max(...reached.map((s) => s.lastUs)) - sentUs) / 1000,
    bffCpuMs: (cpuAfter.user + cpuAfter.system - cpuBefore.user - cpuBefore.system) / 1000,
    loopBlockedMs,
  };
}

export const mib = (bytes: number): string => (bytes / 2 ** 20).toFixed(1);
