/**
 * Fan-out: one user's notifications published straight to Redis at a steady rate reach that
 * user's tabs on three instances. Baseline, in the same run and through the same Redis: the
 * same publisher to plain ioredis subscribers in the same client processes.
 */
import type Redis from 'ioredis';
import { openOn, type OpenSettings } from './capacity';
import type { Child } from './child';
import type { CollectReply } from './protocol';
import { BENCH_FRAME_TYPE } from './protocol';
import { publishAtRate, type Published } from './publisher';
import type { Stack } from './stack';
import { latency, mergeCounts, type Latency } from './stats';

export const BASELINE_CHANNEL = 'bench:ws:baseline';
const USER_CHANNEL = 'bff:ws:user:alice';
/** Unmeasured publishing first, so neither path is timed while its code is still being compiled. */
const WARM_UP_MS = 1_000;
/** Time for the last frames to arrive before the samples are collected. */
const DRAIN_MS = 1_000;

export interface FanoutSettings extends OpenSettings {
  /** alice's sockets per instance (and as many of bob's, who must receive nothing). */
  socketsPerInstance: number;
  ratePerSecond: number;
  durationMs: number;
}

export interface PathResult {
  published: Published;
  latency: Latency;
  /** Deliveries expected: messages × receiving sockets (or subscribers). */
  expected: number;
}

export interface Fanout {
  aliceSockets: number;
  bobSockets: number;
  baseline: PathResult;
  bff: PathResult;
  misdelivered: number;
  unexpectedCloses: Record<string, number>;
  /** CPU time of each BFF instance per frame it sent, µs. */
  bffCpuUsPerFrame: number[];
}

async function collect(clients: Child[]): Promise<CollectReply[]> {
  return Promise.all(clients.map((client) => client.request<CollectReply>({ type: 'collect' }, 30_000)));
}

const frame =
  (extra: Record<string, string>) =>
  (t: number): string =>
    JSON.stringify({ type: BENCH_FRAME_TYPE, data: { t, ...extra } });

const cpuOf = (children: Child[]): Promise<NodeJS.CpuUsage[]> =>
  Promise.all(children.map((child) => child.request<NodeJS.CpuUsage>({ type: 'cpu' })));

interface Measured {
  published: Published;
  replies: CollectReply[];
  /** CPU µs each of `watched` used over the measured window and its drain. */
  cpuUs: number[];
}

/** Publishes unmeasured for a moment, drains and drops what arrived, then publishes for the measured window. */
async function measurePath(
  redis: Redis,
  stack: Stack,
  channel: string,
  settings: FanoutSettings,
  message: (t: number) => string,
): Promise<Measured> {
  const watched = stack.instances.map((instance) => instance.child);
  await publishAtRate(redis, channel, settings.ratePerSecond, WARM_UP_MS, message);
  await new Promise((resolve) => setTimeout(resolve, DRAIN_MS));
  await collect(stack.clients);
  const before = await cpuOf(watched);
  const published = await publishAtRate(redis, channel, settings.ratePerSecond, settings.durationMs, message);
  await new Promise((resolve) => setTimeout(resolve, DRAIN_MS));
  const after = await cpuOf(watched);
  const cpuUs = after.map((a, i) => {
    const b = before[i] ?? a;
    return a.user + a.system - b.user - b.system;
  });
  return { published, replies: await collect(stack.clients), cpuUs };
}

export async function measureFanout(
  stack: Stack,
  redis: Redis,
  redisUrl: string,
  settings: FanoutSettings,
  sessions: { alice: { user: 'alice'; cookie: string }[]; bob: { user: 'bob'; cookie: string }[] },
): Promise<Fanout> {
  let aliceSockets = 0;
  let bobSockets = 0;
  for (const instance of stack.instances) {
    const alice = await openOn(
      stack.clients,
      instance,
      sessions.alice,
      settings.socketsPerInstance,
      'fanout',
      settings,
    );
    const bob = await openOn(stack.clients, instance, sessions.bob, settings.socketsPerInstance, 'fanout', settings);
    aliceSockets += alice.opened;
    bobSockets += bob.opened;
    if (alice.failed || bob.failed) {
      console.warn(`[bench] fan-out sockets failed: ${JSON.stringify(mergeCounts([alice.errors, bob.errors]))}`);
    }
  }
  for (const client of stack.clients) {
    await client.request({ type: 'subscribe-baseline', redisUrl, channel: BASELINE_CHANNEL });
  }
  console.log(
    `[bench] fan-out: ${String(aliceSockets)} sockets of alice and ${String(bobSockets)} of bob over ` +
      `${String(stack.instances.length)} instances; ${String(settings.ratePerSecond)} msg/s for ` +
      `${String(settings.durationMs / 1000)} s per path`,
  );

  const base = await measurePath(redis, stack, BASELINE_CHANNEL, settings, frame({}));
  const bff = await measurePath(redis, stack, USER_CHANNEL, settings, frame({ u: 'alice' }));
  // alice's sockets are spread evenly, so each instance sends an equal share of the frames.
  const framesPerInstance = (bff.published.sent * aliceSockets) / stack.instances.length;
  return {
    aliceSockets,
    bobSockets,
    baseline: {
      published: base.published,
      latency: latency(base.replies.map((r) => r.baselineUs)),
      expected: base.published.sent * stack.clients.length,
    },
    bff: {
      published: bff.published,
      latency: latency(bff.replies.map((r) => r.fanoutUs)),
      expected: bff.published.sent * aliceSockets,
    },
    // The counters of the last collect cover the whole run, the capacity phase included.
    misdelivered: bff.replies.reduce((sum, r) => sum + r.misdelivered, 0),
    unexpectedCloses: mergeCounts(bff.replies.map((r) => r.unexpectedCloses)),
    bffCpuUsPerFrame: bff.cpuUs.map((us) => us / framesPerInstance),
  };
}
