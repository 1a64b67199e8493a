import { NotificationPublisher, ConnectionRegistry } from '@bff/realtime';
import { connectRedis, createRedisClient } from '@bff/cluster';
import WebSocket from 'ws';
import { BrowserClient } from '../support/browser-client';
import { startStack, type Stack } from '../support/bff-stack';
import { PrivateRedis } from '../support/private-redis';
import { testRedisConfig } from '../support/redis';
import { loggedIn, openSocket, readySocket, refusal, type TestSocket } from '../support/socket-client';

describe('the WebSocket gateway across instances', () => {
  let stack: Stack;
  const sockets: TestSocket[] = [];
  const track = (socket: TestSocket): TestSocket => {
    sockets.push(socket);
    return socket;
  };

  beforeAll(async () => {
    stack = await startStack({ instances: 3, env: { BFF_INTERNAL_TOKEN: 'internal-token-for-tests' } });
  });
  afterEach(() => {
    for (const { socket } of sockets.splice(0)) socket.terminate();
  });
  afterAll(async () => {
    await stack.close();
  });

  const publisherOf = (index: number) => stack.bffs[index]!.app.get(NotificationPublisher);

  it('accepts the session cookie from an allowed origin and answers ping with pong', async () => {
    const socket = track(await readySocket(stack.url, await loggedIn(stack.url)));
    socket.socket.send(JSON.stringify({ type: 'ping' }));
    expect(await socket.next()).toEqual({ type: 'pong' });
  });

  it('refuses the upgrade without a cookie (401), with a tampered one (401) and from a foreign or missing Origin (403)', async () => {
    expect(await refusal(openSocket(stack.url, undefined))).toEqual({
      status: 401,
      body: { error: 'session_required', message: expect.any(String) },
    });
    const browser = await loggedIn(stack.url);
    const tampered = new BrowserClient();
    const cookie = browser.cookie('__Host-bff') ?? '';
    tampered.jar.store(new Response(null, { headers: { 'set-cookie': `__Host-bff=${cookie.slice(0, -3)}abc` } }));
    expect((await refusal(openSocket(stack.url, tampered))).status).toBe(401);
    expect(await refusal(openSocket(stack.url, browser, { origin: 'https://evil.example' }))).toEqual({
      status: 403,
      body: { error: 'origin_not_allowed', message: expect.any(String) },
    });
    expect((await refusal(openSocket(stack.url, browser, { origin: null }))).status).toBe(403);
  });

  it("delivers a user notification to all of that user's tabs on every instance, and to nobody else", async () => {
    const alice = await loggedIn(stack.url);
    const bob = await loggedIn(stack.url, 'bob');
    const tab1 = track(await readySocket(stack.bffs[0]!.url, alice));
    const tab2 = track(await readySocket(stack.bffs[1]!.url, alice));
    const bobTab = track(await readySocket(stack.bffs[2]!.url, bob));

    await publisherOf(2).toUser('alice', { type: 'notification', data: { message: 'hi alice' } });
    const expected = { type: 'notification', data: { message: 'hi alice' } };
    expect(await tab1.next()).toEqual(expected);
    expect(await tab2.next()).toEqual(expected);

    // Bob's next frame is the broadcast sent afterwards: alice's notification never reached him.
    await publisherOf(0).broadcast({ type: 'announcement', data: 1 });
    expect(await bobTab.next()).toEqual({ type: 'announcement', data: 1 });
  });

  it('delivers a broadcast to every socket exactly once', async () => {
    const alice = await loggedIn(stack.url);
    const bob = await loggedIn(stack.url, 'bob');
    const all = [
      track(await readySocket(stack.bffs[0]!.url, alice)),
      track(await readySocket(stack.bffs[0]!.url, alice)),
      track(await readySocket(stack.bffs[1]!.url, alice)),
      track(await readySocket(stack.bffs[2]!.url, bob)),
    ];
    await publisherOf(1).broadcast({ type: 'announcement', data: 'once' });
    for (const socket of all) {
      expect(await socket.next()).toEqual({ type: 'announcement', data: 'once' });
      // The frame after it answers our ping: no duplicate of the broadcast came in between.
      socket.socket.send(JSON.stringify({ type: 'ping' }));
      expect(await socket.next()).toEqual({ type: 'pong' });
    }
  });

  it('accepts frames published straight to Redis by another service', async () => {
    const alice = await loggedIn(stack.url);
    const socket = track(await readySocket(stack.bffs[1]!.url, alice));
    const config = testRedisConfig();
    const redis = createRedisClient(config, 'test-publisher');
    await connectRedis(redis, config);
    try {
      await redis.publish(
        'bff:ws:user:alice',
        JSON.stringify({ type: 'notification', data: { message: 'from redis' } }),
      );
      await redis.publish('bff:ws:user:alice', 'not a frame');
      await redis.publish('bff:ws:user:alice', JSON.stringify({ type: 'second' }));
    } finally {
      await redis.quit();
    }
    expect(await socket.next()).toEqual({ type: 'notification', data: { message: 'from redis' } });
    expect(await socket.next()).toEqual({ type: 'second' });
  });

  it('closes the socket held on instance B with 4001 when the user logs out on instance A', async () => {
    const alice = await loggedIn(stack.url);
    const socket = track(await readySocket(stack.bffs[1]!.url, alice));
    const { logoutUrl } = (await (await alice.api(`${stack.bffs[0]!.url}/auth/user`)).json()) as { logoutUrl: string };
    expect((await alice.fetch(`${stack.bffs[0]!.url}${logoutUrl}`)).status).toBe(302);
    expect((await socket.closed).code).toBe(4001);
  });

  it('closes the sockets of a session a new login replaced with 4001, only after the callback set the new cookie', async () => {
    const alice = await loggedIn(stack.url);
    const replaced = alice.cookie('__Host-bff');
    const socket = track(await readySocket(stack.bffs[1]!.url, alice));
    const seen: string[] = [];
    void socket.closed.then(({ code }) => seen.push(`socket closed ${String(code)}`));
    const callback = await alice.login(stack.bffs[0]!.url);
    seen.push(`callback ${String(callback.status)}`);
    expect((await socket.closed).code).toBe(4001);
    // A page whose socket closed asks /auth/user next: by then the browser holds the new cookie.
    expect(seen).toEqual(['callback 302', 'socket closed 4001']);
    expect(alice.cookie('__Host-bff')).not.toBe(replaced);
    expect((await alice.api(`${stack.bffs[1]!.url}/auth/user`)).status).toBe(200);
    const stale = new BrowserClient();
    stale.jar.store(new Response(null, { headers: { 'set-cookie': `__Host-bff=${replaced ?? ''}` } }));
    expect((await stale.api(`${stack.bffs[2]!.url}/auth/user`)).status).toBe(401);
  });

  it('answers unknown message types with an error frame and keeps the socket open', async () => {
    const socket = track(await readySocket(stack.url, await loggedIn(stack.url)));
    socket.socket.send(JSON.stringify({ type: 'subscribe-everything' }));
    expect(await socket.next()).toMatchObject({ type: 'error', data: { error: 'unknown_type' } });
    socket.socket.send(JSON.stringify({ type: 'ping' }));
    expect(await socket.next()).toEqual({ type: 'pong' });
  });

  it.each([
    ['malformed JSON', 1007, (s: WebSocket) => s.send('{not json')],
    ['a JSON value that is not a frame', 1007, (s: WebSocket) => s.send('[1,2]')],
    ['a binary frame', 1003, (s: WebSocket) => s.send(Buffer.from([1, 2, 3]))],
    ['an oversize frame', 1009, (s: WebSocket) => s.send(JSON.stringify({ type: 'ping', data: 'x'.repeat(10_000) }))],
    [
      'a flood of messages',
      1008,
      (s: WebSocket) => {
        for (let i = 0; i < 200; i++) s.send(JSON.stringify({ type: 'ping' }));
      },
    ],
  ])('closes on %s with %i', async (_label, code, misbehave) => {
    const socket = track(await readySocket(stack.url, await loggedIn(stack.url)));
    misbehave(socket.socket);
    expect((await socket.closed).code).toBe(code);
    // The instance is fine: a new socket works.
    const again = track(await readySocket(stack.url, await loggedIn(stack.url)));
    again.socket.send(JSON.stringify({ type: 'ping' }));
    expect(await again.next()).toEqual({ type: 'pong' });
  });

  it('publishes through POST /internal/publish only with the internal token and a valid frame', async () => {
    const alice = await loggedIn(stack.url);
    const socket = track(await readySocket(stack.bffs[2]!.url, alice));
    const post = (body: unknown, token = 'internal-token-for-tests') =>
      fetch(`${stack.url}/internal/publish`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(body),
      });
    const message = { type: 'notification', data: { message: 'via http' } };
    expect((await post({ channel: 'bff:ws:user:alice', message }, 'wrong-token')).status).toBe(401);
    const badChannel = await post({ channel: 'bff:session:x', message });
    expect(badChannel.status).toBe(400);
    expect(await badChannel.json()).toMatchObject({ error: 'invalid_publish' });
    expect((await post({ channel: 'bff:ws:user:alice', message: { data: 1 } })).status).toBe(400);
    expect((await post({ channel: 'bff:ws:user:alice', message })).status).toBe(202);
    expect(await socket.next()).toEqual(message);
  });
});

describe('WebSocket liveness, limits and Redis outages', () => {
  let redis: PrivateRedis;
  let stack: Stack;
  beforeAll(async () => {
    // Persistent, so sessions survive the restart below as they would in production.
    redis = await PrivateRedis.start({ persistent: true });
    stack = await startStack({
      env: { REDIS_URL: redis.url, BFF_WS_PING_INTERVAL_MS: '200', BFF_WS_MAX_BUFFERED_BYTES: '65536' },
    });
  });
  afterAll(async () => {
    await stack.close();
    await redis.stop();
  });

  it('terminates a peer that stops answering pings', async () => {
    const socket = await readySocket(stack.url, await loggedIn(stack.url), { autoPong: false });
    expect((await socket.closed).code).toBe(1006);
  });

  it('keeps a peer that answers pings', async () => {
    const socket = await readySocket(stack.url, await loggedIn(stack.url));
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(socket.socket.readyState).toBe(WebSocket.OPEN);
    socket.socket.close();
  });

  it('closes the sockets of a session that expired (its Redis entry is gone) with 4001', async () => {
    const browser = await loggedIn(stack.url);
    const socket = await readySocket(stack.url, browser);
    const config = testRedisConfig({ url: redis.url });
    const client = createRedisClient(config, 'test-expirer');
    await connectRedis(client, config);
    try {
      const id = (browser.cookie('__Host-bff') ?? '').split('.')[1] ?? '';
      expect(await client.del(`bff:session:{${id}}`)).toBe(1);
    } finally {
      await client.quit();
    }
    expect((await socket.closed).code).toBe(4001);
  });

  it('drops a consumer that stops reading instead of buffering without bound', async () => {
    const socket = await readySocket(stack.url, await loggedIn(stack.url));
    const registry = stack.bffs[0]!.app.get(ConnectionRegistry);
    const publisher = stack.bffs[0]!.app.get(NotificationPublisher);
    expect(registry.size).toBe(1);
    (socket.socket as unknown as { _socket: { pause(): void } })._socket.pause();
    const big = 'x'.repeat(32 * 1024);
    for (let i = 0; i < 400 && registry.size > 0; i++) {
      await publisher.toUser('alice', { type: 'bulk', data: big });
      await new Promise((resolve) => setImmediate(resolve));
    }
    for (let attempt = 0; attempt < 50 && registry.size > 0; attempt++)
      await new Promise((resolve) => setTimeout(resolve, 50));
    expect(registry.size).toBe(0);
    socket.socket.terminate();
  });

  it('resubscribes after Redis restarts, and delivery resumes', async () => {
    const socket = await readySocket(stack.url, await loggedIn(stack.url));
    await redis.stop();
    await redis.resume();
    const config = testRedisConfig({ url: redis.url });
    const publisher = createRedisClient(config, 'test-publisher');
    await connectRedis(publisher, config);
    try {
      // The subscriber reconnects with back-off; publish until a subscriber is there again (bounded).
      let receivers = 0;
      for (let attempt = 0; attempt < 60 && receivers === 0; attempt++) {
        receivers = await publisher.publish('bff:ws:user:alice', JSON.stringify({ type: 'after-restart' }));
        if (receivers === 0) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(receivers).toBeGreaterThan(0);
      expect(await socket.next()).toEqual({ type: 'after-restart' });
      expect(socket.socket.readyState).toBe(WebSocket.OPEN);
    } finally {
      await publisher.quit();
      socket.socket.terminate();
    }
  }, 20_000);
});
