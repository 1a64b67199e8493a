/**
 * `npm run bench:ws`: what the session-bound WebSocket costs and how fast notifications get through.
 *   1. Capacity: N authenticated sockets (default 16000) on one BFF instance, opened by several
 *      client processes as tabs of 16 sessions of alice and bob; RSS per socket = (RSS with N −
 *      RSS idle) / N, both read after a full GC in the same run; then again on the second instance
 *      with a site's other cookies in the upgrade's Cookie header (what a socket keeps of its upgrade).
 *   2. Broadcast: one frame on bff:ws:broadcast, timed until all N sockets have it (median of a few).
 *   3. Fan-out: alice's tabs on 3 instances, bff:ws:user:alice published straight to Redis at
 *      1000 msg/s; one-way latency p50/p99 against a plain Redis PUBLISH→SUBSCRIBE baseline
 *      measured in the same run, through the same Redis, from the same client processes.
 * Every BFF, the dev IdP and every client runs in its own process, on loopback only, for a
 * bounded time and count; the results go to bench/RESULTS.md (this benchmark's section only).
 *
 * Environment: BENCH_SOCKETS (16000), BENCH_CLIENTS (4, more if the open-file limit needs it),
 * BENCH_SESSIONS (16), BENCH_CONCURRENCY (64 upgrades in flight per client), BENCH_BROADCASTS (5),
 * BENCH_FANOUT_SOCKETS (10 of alice per instance), BENCH_RATE (1000 msg/s), BENCH_DURATION (10 s),
 * BENCH_COOKIE_PADDING (2048: capacity is measured a second time, on the second instance, with that many
 * bytes of other cookies in each upgrade's Cookie header, as a real site's are; 0 skips it),
 * BENCH_CPU_PROF=1 / BENCH_HEAP_SNAPSHOT=1 (profile / snapshot the big instance, into
 * dist-bench/profiles-ws), BENCH_WRITE=0 (do not touch RESULTS.md), REDIS_URL (redis://127.0.0.1:6379).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Redis from 'ioredis';
import { broadcastOnce, closeGroup, measureCapacity, openOn, type BroadcastRun, type Capacity } from './ws/capacity';
import { measureFanout } from './ws/fanout';
import { describeMachine, repoRoot } from './ws/machine';
import {
  broadcastTable,
  capacityTable,
  fanoutTable,
  interpretation,
  machineLine,
  writeSection,
  type CapacityColumn,
} from './ws/report';
import { commandLine } from './common/command-line';
import { runBench } from './common/run-bench';
import { loadSettings } from './ws/settings';
import { Stack, type Instance, type Session } from './ws/stack';

const INSTANCES = 3;
const settings = loadSettings();
const root = repoRoot();
const outDir = join(root, 'dist-bench', 'profiles-ws', new Date().toISOString().replace(/[:.]/g, '-'));
const open = { concurrency: settings.concurrency, timeoutMs: 30_000 };

const stack = new Stack({
  redisUrl: settings.redisUrl,
  instances: INSTANCES,
  clients: settings.clients,
  // The instances that hold N sockets are measured for memory (--expose-gc); the first may be profiled.
  bffExecArgv: (index) => {
    if (index > 1) return [];
    if (index === 1) return ['--expose-gc'];
    if (settings.cpuProfile || settings.heapSnapshot) mkdirSync(outDir, { recursive: true });
    return ['--expose-gc', ...(settings.cpuProfile ? ['--cpu-prof', '--cpu-prof-dir', outDir] : [])];
  },
});

/** The contract's refusals still hold under the bench's set-up: a foreign Origin is 403, no cookie 401. */
async function checkRefusals(instance: Instance, session: Session): Promise<void> {
  const foreign = await openOn(stack.clients, { ...instance, origin: 'http://evil.example' }, [session], 1, 'x', open);
  const anonymous = await openOn(stack.clients, instance, [{ user: 'alice', cookie: '' }], 1, 'x', open);
  const seen = [Object.keys(foreign.errors).join(), Object.keys(anonymous.errors).join()];
  if (seen[0] !== 'upgrade refused: HTTP 403' || seen[1] !== 'upgrade refused: HTTP 401') {
    throw new Error(`expected refusals 403 and 401, got ${JSON.stringify(seen)}`);
  }
}

/** N sockets on the first instance: memory per socket, then broadcasts to all of them. */
async function capacityAndBroadcasts(
  redis: Redis,
  big: Instance,
  sessions: Session[],
): Promise<{ capacity: Capacity; runs: BroadcastRun[] }> {
  const capacity = await measureCapacity(stack.clients, big, sessions, settings.sockets, open);
  if (settings.heapSnapshot) {
    const file = await big.child.request<string>({ type: 'heap-snapshot', dir: outDir }, 300_000);
    console.log(`[bench] heap snapshot: ${file}`);
  }
  const runs: BroadcastRun[] = [];
  for (let id = 1; id <= settings.broadcasts; id += 1) {
    const result = await broadcastOnce(redis, stack.clients, big.child, id, capacity.open.opened);
    console.log(`[bench] broadcast ${String(id)}: ${String(result.received)} sockets in ${result.allMs.toFixed(1)} ms`);
    runs.push(result);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  await closeGroup(stack.clients, 'capacity');
  return { capacity, runs };
}

/** The same N sockets on a fresh instance, each upgrade carrying other cookies too, as on a real site. */
async function paddedCapacity(instance: Instance, sessions: Session[]): Promise<Capacity | undefined> {
  if (settings.cookiePadding === 0) return undefined;
  const other = `pad=${'x'.repeat(Math.max(0, settings.cookiePadding - '; pad='.length))}`;
  const padded = sessions.map((session) => ({ ...session, cookie: `${other}; ${session.cookie}` }));
  console.log(
    `[bench] again on ${instance.child.name} with ${String(settings.cookiePadding)} padding bytes in the upgrade headers`,
  );
  const capacity = await measureCapacity(stack.clients, instance, padded, settings.sockets, open);
  await closeGroup(stack.clients, 'capacity');
  return capacity;
}

async function run(): Promise<void> {
  await stack.start();
  const [big, second] = stack.instances;
  if (!big || !second) throw new Error('the BFF instances did not start');
  const clientLimit = Math.min(...stack.clients.map((c) => c.ready.maxOpenFiles));
  console.log(
    `[bench] ${String(INSTANCES)} BFFs, ${String(settings.clients)} client processes; open-file limit ` +
      `${String(big.child.ready.maxOpenFiles)} in the BFF, ${String(clientLimit)} in the clients`,
  );
  if (settings.sockets > big.child.ready.maxOpenFiles - 100) {
    console.warn(`[bench] ${String(settings.sockets)} sockets exceed the BFF's open-file limit; trying anyway`);
  }
  const sessions = await stack.login(settings.sessions);
  await checkRefusals(big, sessions[0] as Session);
  const redis = new Redis(settings.redisUrl, { connectTimeout: 2_000, commandTimeout: 5_000, maxRetriesPerRequest: 1 });
  try {
    const { capacity, runs } = await capacityAndBroadcasts(redis, big, sessions);
    const padded = await paddedCapacity(second, sessions);
    const fanout = await measureFanout(
      stack,
      redis,
      settings.redisUrl,
      {
        ...open,
        socketsPerInstance: settings.fanoutSocketsPerInstance,
        ratePerSecond: settings.rate,
        durationMs: settings.durationSeconds * 1000,
      },
      {
        alice: sessions.filter((s): s is Session & { user: 'alice' } => s.user === 'alice'),
        bob: sessions.filter((s): s is Session & { user: 'bob' } => s.user === 'bob'),
      },
    );
    const machine = await describeMachine(settings.redisUrl);
    await stack.stop();

    const cookieBytes = (sessions[0]?.cookie.length ?? 0) + 'cookie: '.length;
    const columns: CapacityColumn[] = [
      { label: `session cookie only (Cookie header ${String(cookieBytes)} B)`, capacity },
      ...(padded
        ? [
            {
              label: `+ other cookies (Cookie header ${String(cookieBytes + settings.cookiePadding)} B)`,
              capacity: padded,
            },
          ]
        : []),
    ];
    const tables = [
      capacityTable(columns, settings.clients, settings.sessions),
      broadcastTable(runs, fanout.baseline.latency.p50Ms),
      fanoutTable(fanout, INSTANCES, settings.clients),
      interpretation(
        capacity,
        runs,
        fanout,
        INSTANCES,
        padded ? { capacity: padded, extraBytes: settings.cookiePadding } : undefined,
      ),
    ].join('\n\n');
    console.log(`\n${tables}\n`);
    const header = [
      `- Date: ${new Date().toISOString()}`,
      `- Command: \`${commandLine('bench:ws')}\``,
      machineLine(machine, { bff: big.child.ready.maxOpenFiles, clients: clientLimit }),
      `- Set-up: ${String(INSTANCES)} BFF instances (own processes, logger 'error', access tokens of 1 h) sharing one ` +
        `Redis; the dev IdP in its own process; ${String(settings.sessions)} sessions (alice and bob, the dev IdP's ` +
        `users) logged in through it; sockets opened with the \`ws\` package by ${String(settings.clients)} client ` +
        `processes, ${String(settings.concurrency)} upgrades in flight each, with the BFF's own Origin, and counted ` +
        'once their `ready` frame arrived; latencies are one-way, stamped on CLOCK_MONOTONIC (shared by all ' +
        'processes); everything on loopback.',
    ].join('\n');
    if (settings.write) {
      const file = join(root, 'bench', 'RESULTS.md');
      await writeSection(file, `## WebSocket (bench:ws)\n\n${header}\n\n${tables}`);
      console.log(`[bench] wrote ${file}`);
    }
  } finally {
    redis.disconnect();
  }
}

// Generous: connecting every socket, the fan-out rounds, and start-up.
runBench(run, stack, 240 + settings.sockets / 50 + 4 * settings.durationSeconds);
