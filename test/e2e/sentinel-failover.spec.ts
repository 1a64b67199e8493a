import { REDIS_RECONNECT_MAX_DELAY_MS } from '@bff/cluster';
import { NotificationPublisher } from '@bff/realtime';
import { BrowserClient } from '../support/browser-client';
import { startStack, type Stack } from '../support/bff-stack';
import { EchoUpstream } from '../support/echo-upstream';
import { PrivateRedis, PrivateSentinel, sentinelsSettled } from '../support/private-redis';
import { readySocket, type TestSocket } from '../support/socket-client';

// Sentinel timings short enough for a test (Redis defaults: 30 s and 3 min).
const DOWN_AFTER_MS = 1000;
const FAILOVER_TIMEOUT_MS = 3000;
// The BFF's Redis timings (REDIS_COMMAND_TIMEOUT_MS, REDIS_CONNECT_TIMEOUT_MS) for this stack.
const COMMAND_TIMEOUT_MS = 1000;
const CONNECT_TIMEOUT_MS = 2000;
// Safety limit, not a performance target: once every sentinel names the new master, a client is
// back within one reconnection pause, a question to a sentinel (connect + command timeout) and a
// connection to the new master (connect timeout + ready check). Beyond that it is stuck, e.g. on
// the old master's address or on a sentinel that does not answer.
const RECONNECT_BUDGET_MS = REDIS_RECONNECT_MAX_DELAY_MS + 2 * CONNECT_TIMEOUT_MS + 2 * COMMAND_TIMEOUT_MS;
// How long the load generator waits for any answer: far above anything the BFF should take.
const REQUEST_TIMEOUT_MS = 10_000;
// Successful requests per instance wanted after each step before the next one.
const STEADY_SUCCESSES = 30;

/** One proxied GET as the load generator saw it. */
interface Outcome {
  instance: number;
  startedAt: number;
  endedAt: number;
  status: number;
  contentType: string;
  body: unknown;
  /** A network error or our own timeout: never acceptable. */
  error?: string;
}

async function proxiedGet(url: string, cookie: string, instance: number): Promise<Outcome> {
  const startedAt = Date.now();
  try {
    const response = await fetch(`${url}/api/echo/load`, {
      headers: { cookie, 'x-csrf': '1' },
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // kept as text; an error answer that is not JSON fails the test below
    }
    return {
      instance,
      startedAt,
      endedAt: Date.now(),
      status: response.status,
      contentType: response.headers.get('content-type') ?? '',
      body: response.status === 200 ? undefined : body,
    };
  } catch (error) {
    return {
      instance,
      startedAt,
      endedAt: Date.now(),
      status: 0,
      contentType: '',
      body: undefined,
      error: String(error),
    };
  }
}

/**
 * A steady stream of proxied GETs: one loop per (session, instance) pair, each sending a request,
 * waiting for its answer and pausing briefly, so failing fast never turns into a flood.
 */
class SteadyLoad {
  readonly outcomes: Outcome[] = [];
  private running = true;
  private readonly loops: Promise<void>[];

  constructor(targets: { url: string; cookie: string; instance: number }[], pauseMs = 20) {
    this.loops = targets.map(async ({ url, cookie, instance }) => {
      while (this.running) {
        this.outcomes.push(await proxiedGet(url, cookie, instance));
        await new Promise((resolve) => setTimeout(resolve, pauseMs));
      }
    });
  }

  successesOn(instance: number, startedAfter: number): number {
    return this.outcomes.filter((o) => o.instance === instance && o.status === 200 && o.startedAt > startedAfter)
      .length;
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }
}

/** Polls an asynchronous condition; jest's test timeout bounds the wait, so no deadline sits here. */
async function waitUntil(condition: () => Promise<boolean> | boolean, pollMs = 50): Promise<void> {
  while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, pollMs));
}

/** What one instance's clients saw around the kill, in ms since the kill. */
interface InstanceWindow {
  instance: number;
  firstFailure: Outcome | undefined;
  recovery: Outcome | undefined;
}

function windowOf(outcomes: Outcome[], instance: number, killAt: number): InstanceWindow {
  const mine = outcomes.filter((o) => o.instance === instance).sort((x, y) => x.endedAt - y.endedAt);
  const firstFailure = mine.find((o) => o.status !== 200 && o.endedAt >= killAt);
  // Recovered once a request that started after the first failed answer succeeds.
  const recovery = firstFailure && mine.find((o) => o.status === 200 && o.startedAt >= firstFailure.endedAt);
  return { instance, firstFailure, recovery };
}

describe('Redis Sentinel failover under load (master, replica, three sentinels, two BFF instances)', () => {
  let master: PrivateRedis | undefined;
  let replica: PrivateRedis | undefined;
  const sentinels: PrivateSentinel[] = [];
  let upstream: EchoUpstream | undefined;
  let stack: Stack | undefined;
  let load: SteadyLoad | undefined;
  const sockets: TestSocket[] = [];

  beforeAll(async () => {
    master = await PrivateRedis.start();
    replica = await PrivateRedis.start({ replicaOf: master });
    const [primary, secondary] = [master, replica];
    await waitUntil(() => secondary.replicationLinkUp(primary));
    for (let i = 0; i < 3; i++) {
      sentinels.push(
        await PrivateSentinel.start(master, {
          quorum: 2,
          downAfterMs: DOWN_AFTER_MS,
          failoverTimeoutMs: FAILOVER_TIMEOUT_MS,
        }),
      );
    }
    // Sentinels find the replica through the master's INFO and each other through hello messages (every 2 s).
    await waitUntil(() => sentinelsSettled(sentinels, 1), 200);
    upstream = await EchoUpstream.start();
    stack = await startStack({
      instances: 2,
      // No token refresh during the test: this is about Redis, not the IdP.
      accessTokenTtlSeconds: 600,
      // Every 503 is logged at error level; kept out of the test output.
      logs: { write: () => undefined },
      env: {
        // Only the credentials and db of REDIS_URL are used in sentinel mode; the address comes from Sentinel.
        REDIS_URL: 'redis://sentinel-resolves-this:6379/0',
        REDIS_MODE: 'sentinel',
        REDIS_SENTINELS: sentinels.map((sentinel) => sentinel.address).join(','),
        REDIS_SENTINEL_NAME: 'mymaster',
        REDIS_COMMAND_TIMEOUT_MS: String(COMMAND_TIMEOUT_MS),
        REDIS_CONNECT_TIMEOUT_MS: String(CONNECT_TIMEOUT_MS),
        // Every request reads its session from Redis, so the load feels the failover.
        SESSION_CACHE_MS: '0',
        // Sockets are checked against their sessions every second, so checks also run during the failover.
        BFF_WS_PING_INTERVAL_MS: '1000',
        BFF_ROUTES: JSON.stringify([{ name: 'echo', upstream: upstream.url, token: 'user' }]),
      },
    });
  }, 120_000);

  afterAll(async () => {
    await load?.stop();
    for (const socket of sockets) socket.socket.terminate();
    await stack?.close();
    await upstream?.close();
    await Promise.all(sentinels.map((sentinel) => sentinel.stop()));
    await master?.stop();
    await replica?.stop();
  });

  it('fails requests with a clean 503 only until the replica is promoted, then serves the same sessions and notifications', async () => {
    const [a, b] = stack!.bffs.map((bff) => bff.url) as [string, string];
    const [oldMaster, newMaster] = [master!, replica!];
    const browsers = [new BrowserClient(), new BrowserClient(), new BrowserClient()];
    await browsers[0]!.login(a, 'alice');
    await browsers[1]!.login(b, 'bob');
    await browsers[2]!.login(a, 'alice');
    for (const browser of browsers) {
      expect((await browser.api(`${a}/api/echo/warm`)).status).toBe(200);
      expect((await browser.api(`${b}/api/echo/warm`)).status).toBe(200);
    }
    // A socket opened before the failover, on the instance that does not publish.
    const before = await readySocket(b, browsers[0]!);
    sockets.push(before);

    // The sessions are on the replica before the master dies: WAIT for its acknowledgement, then look.
    expect(await oldMaster.replicateAll(1)).toBe(1);
    for (const browser of browsers) {
      const id = (browser.cookie('__Host-bff') ?? '').split('.')[1] ?? '';
      expect(await newMaster.exists(`bff:session:{${id}}`)).toBe(true);
    }

    const cookies = browsers.map((browser) => browser.cookieHeader());
    load = new SteadyLoad(
      cookies.flatMap((cookie) => [
        { url: a, cookie, instance: 0 },
        { url: b, cookie, instance: 1 },
      ]),
    );
    const running = load;
    await waitUntil(() => running.successesOn(0, 0) >= 10 && running.successesOn(1, 0) >= 10);

    // The first sentinel hangs (SIGSTOP: it accepts connections, never answers) as the master dies;
    // the other two are a quorum and a majority, so the failover goes on without it.
    const [frozen, ...live] = sentinels as [PrivateSentinel, ...PrivateSentinel[]];
    frozen.freeze();
    const killAt = Date.now();
    await oldMaster.stop();
    // Every live sentinel names the replica: the failover is over as far as Sentinel is concerned.
    await waitUntil(async () =>
      (await Promise.all(live.map((s) => s.masterPort().catch(() => 0)))).every((p) => p === newMaster.port),
    );
    const switchedAt = Date.now();
    // Waits for both instances to answer 200 again, at most for the reconnection budget, so that a
    // client stuck on the old master fails below with the outcomes rather than as a jest timeout.
    await waitUntil(
      () =>
        (running.successesOn(0, switchedAt) > 0 && running.successesOn(1, switchedAt) > 0) ||
        Date.now() > switchedAt + RECONNECT_BUDGET_MS,
    );
    expect([0, 1].map((instance) => running.successesOn(instance, switchedAt) > 0)).toEqual([true, true]);
    await waitUntil(
      () =>
        running.successesOn(0, switchedAt) >= STEADY_SUCCESSES &&
        running.successesOn(1, switchedAt) >= STEADY_SUCCESSES,
    );

    // Pub/sub is at most once: what is published while the subscriber is away is lost. The
    // contract is that sockets stay open and notifications flow again once it has resubscribed,
    // so publish until the socket from before the failover receives one.
    const publisher = stack!.bffs[0]!.app.get(NotificationPublisher);
    const published: number[] = [];
    const arrived = before.next(60_000).then((frame) => ({ frame }));
    let delivery: { frame: { type: string; data?: unknown } } | undefined;
    for (let n = 0; delivery === undefined; n++) {
      await publisher.toUser('alice', { type: 'notification', data: n }).then(
        () => published.push(n),
        () => undefined,
      );
      delivery = await Promise.race([
        arrived,
        new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 100)),
      ]);
    }
    const { frame } = delivery;
    const resubscribedAt = Date.now();
    expect(frame).toEqual({ type: 'notification', data: expect.any(Number) });
    expect(published).toContain(frame.data);
    // A socket opened after the failover subscribes a new channel on the recovered subscriber.
    const after = await readySocket(a, browsers[1]!);
    sockets.push(after);
    await stack!.bffs[1]!.app.get(NotificationPublisher).toUser('bob', { type: 'notification', data: 'after' });
    expect(await after.next(10_000)).toEqual({ type: 'notification', data: 'after' });

    // The frozen sentinel wakes up with the old master in its config and learns the new one from the others.
    frozen.thaw();
    await waitUntil(async () => (await frozen.masterPort().catch(() => 0)) === newMaster.port, 200);
    const thawedAt = Date.now();

    // The old master comes back empty, as a master, until Sentinel turns it into a replica of the new one.
    const backAt = Date.now();
    await oldMaster.resume();
    await waitUntil(() => oldMaster.replicationLinkUp(newMaster), 200);
    const convertedAt = Date.now();
    await waitUntil(
      () =>
        running.successesOn(0, convertedAt) >= STEADY_SUCCESSES &&
        running.successesOn(1, convertedAt) >= STEADY_SUCCESSES,
    );
    await load.stop();

    const outcomes = load.outcomes;
    // Never a hang or a dropped connection: every request got an answer within its timeout.
    expect(outcomes.filter((o) => o.error !== undefined)).toEqual([]);
    // Never anything but success or the clean "try again" answer: no 401, no logout, no 500.
    for (const failed of outcomes.filter((o) => o.status !== 200)) {
      expect(failed).toMatchObject({
        status: 503,
        contentType: expect.stringContaining('application/json'),
        body: { error: 'session_store_unavailable', message: expect.any(String) },
      });
    }
    expect(outcomes.filter((o) => o.endedAt < killAt && o.status !== 200)).toEqual([]);

    const windows = [windowOf(outcomes, 0, killAt), windowOf(outcomes, 1, killAt)];
    for (const { instance, firstFailure, recovery } of windows) {
      // The kill was felt (every request reads Redis), and the instance came back.
      expect(firstFailure).toBeDefined();
      expect(recovery).toBeDefined();
      // Once back, it stays back, on the same cookies: through the rest of the load and the old master's return.
      const later = outcomes.filter((o) => o.instance === instance && o.startedAt > recovery!.endedAt);
      expect(later.length).toBeGreaterThanOrEqual(2 * STEADY_SUCCESSES);
      expect(later.filter((o) => o.status !== 200)).toEqual([]);
      expect(recovery!.endedAt - switchedAt).toBeLessThanOrEqual(RECONNECT_BUDGET_MS);
    }
    expect(before.socket.readyState).toBe(before.socket.OPEN);
    for (const browser of browsers) {
      expect((await browser.api(`${a}/auth/user`)).status).toBe(200);
      expect((await browser.api(`${b}/auth/user`)).status).toBe(200);
    }

    const failed = outcomes.filter((o) => o.status !== 200).length;
    const lines = windows.map(
      ({ instance, firstFailure, recovery }) =>
        `  instance ${String(instance)}: first 503 at +${String(firstFailure!.endedAt - killAt)} ms, ` +
        `first success again at +${String(recovery!.endedAt - killAt)} ms ` +
        `(window ${String(recovery!.endedAt - firstFailure!.endedAt)} ms)`,
    );
    console.log(
      [
        `Sentinel failover (down-after ${String(DOWN_AFTER_MS)} ms, failover-timeout ${String(FAILOVER_TIMEOUT_MS)} ms), times since SIGKILL of the master:`,
        `  every live sentinel named the replica at +${String(switchedAt - killAt)} ms`,
        ...lines,
        `  the socket from before received a notification again at +${String(resubscribedAt - killAt)} ms`,
        `  the frozen sentinel, thawed, named the replica at +${String(thawedAt - killAt)} ms`,
        `  old master restarted at +${String(backAt - killAt)} ms, a replica in sync at +${String(convertedAt - killAt)} ms, no request failed meanwhile`,
        `  ${String(outcomes.length)} proxied GETs, ${String(failed)} answered 503, none other than 200 or 503`,
      ].join('\n'),
    );
  }, 180_000);
});
