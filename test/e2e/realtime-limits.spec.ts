import { connect } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { NotificationPublisher, sessionChannel, UpgradeAuthenticator } from '@bff/realtime';
import { connectRedis, createRedisClient } from '@bff/cluster';
import { BrowserClient } from '../support/browser-client';
import { startStack, type Stack } from '../support/bff-stack';
import { testRedisConfig } from '../support/redis';
import { waitFor } from '../support/wait-for';
import { loggedIn, openSocket, readySocket, refusal, type TestSocket } from '../support/socket-client';

const CAP = 3;
const TOKEN = 'internal-token-for-tests';
const RESERVED = ['ready', 'pong', 'error'];

const sessionIdOf = (browser: BrowserClient): string => (browser.cookie('__Host-bff') ?? '').split('.')[1] ?? '';

describe('WebSockets per session and the frame types only the gateway sends', () => {
  let stack: Stack;
  const sockets: TestSocket[] = [];
  const track = (socket: TestSocket): TestSocket => {
    sockets.push(socket);
    return socket;
  };
  const slotsHeld = (browser: BrowserClient): number =>
    stack.bffs[0]!.app.get(UpgradeAuthenticator).socketsOf(sessionIdOf(browser));
  /** The client can see its socket closed before the server has seen the TCP connection end. */
  const untilSlotsHeld = async (browser: BrowserClient, count: number): Promise<void> => {
    for (let attempt = 0; attempt < 200 && slotsHeld(browser) !== count; attempt++) await delay(10);
  };
  const post = (body: unknown) =>
    fetch(`${stack.url}/internal/publish`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify(body),
    });

  beforeAll(async () => {
    stack = await startStack({ env: { BFF_WS_MAX_SOCKETS_PER_SESSION: String(CAP), BFF_INTERNAL_TOKEN: TOKEN } });
  });
  afterEach(() => {
    for (const { socket } of sockets.splice(0)) socket.terminate();
  });
  afterAll(async () => {
    await stack.close();
  });

  it('refuses the socket beyond the cap with 429 too_many_sockets, and another session of the same user is unaffected', async () => {
    const browser = await loggedIn(stack.url);
    for (let i = 0; i < CAP; i++) track(await readySocket(stack.url, browser));
    expect(await refusal(openSocket(stack.url, browser))).toEqual({
      status: 429,
      body: { error: 'too_many_sockets', message: expect.any(String) },
    });
    // The refused upgrade left no slot behind.
    expect(slotsHeld(browser)).toBe(CAP);
    const sameUserOtherSession = await loggedIn(stack.url);
    expect(sessionIdOf(sameUserOtherSession)).not.toBe(sessionIdOf(browser));
    track(await readySocket(stack.url, sameUserOtherSession));
  });

  it('frees a slot when one of the session’s sockets closes', async () => {
    const browser = await loggedIn(stack.url);
    const open: TestSocket[] = [];
    for (let i = 0; i < CAP; i++) open.push(track(await readySocket(stack.url, browser)));
    expect((await refusal(openSocket(stack.url, browser))).status).toBe(429);
    open[0]!.socket.close();
    await open[0]!.closed;
    await untilSlotsHeld(browser, CAP - 1);
    expect(slotsHeld(browser)).toBe(CAP - 1);
    track(await readySocket(stack.url, browser));
    expect((await refusal(openSocket(stack.url, browser))).status).toBe(429);
  });

  it('accepts exactly the cap when more upgrades of one session arrive at once', async () => {
    const browser = await loggedIn(stack.url);
    const results = await Promise.allSettled(Array.from({ length: CAP + 5 }, () => openSocket(stack.url, browser)));
    const accepted = results.flatMap((result) => (result.status === 'fulfilled' ? [track(result.value)] : []));
    const refused = results.flatMap((result) =>
      result.status === 'rejected' ? [(result.reason as { status?: number }).status] : [],
    );
    expect(accepted).toHaveLength(CAP);
    expect(refused).toEqual(Array.from({ length: 5 }, () => 429));
    for (const socket of accepted) expect(await socket.next()).toMatchObject({ type: 'ready' });
  });

  it('frees the slots of upgrades whose client went away before they completed', async () => {
    const browser = await loggedIn(stack.url);
    // Slots are taken when an upgrade is verified, which may finish after the client has gone:
    // count the verifications that settled, so the test looks at the slots only once all have.
    const authenticator = stack.bffs[0]!.app.get(UpgradeAuthenticator);
    const verify = authenticator.verify.bind(authenticator);
    let settled = 0;
    const spy = jest.spyOn(authenticator, 'verify').mockImplementation(async (upgrade) => {
      try {
        return await verify(upgrade);
      } finally {
        settled++;
      }
    });
    const { port } = new URL(stack.url);
    const request = [
      'GET /ws HTTP/1.1',
      `Host: localhost:${port}`,
      'Connection: Upgrade',
      'Upgrade: websocket',
      'Sec-WebSocket-Version: 13',
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
      `Origin: ${new URL(stack.url).origin}`,
      `Cookie: ${browser.jar.header()}`,
    ].join('\r\n');
    await Promise.all(
      Array.from(
        { length: CAP },
        () =>
          new Promise<void>((resolve) => {
            const socket = connect({ host: 'localhost', port: Number(port) }, () => {
              socket.end(`${request}\r\n\r\n`, () => socket.destroy());
            });
            socket.on('close', () => resolve());
            socket.on('error', () => undefined);
          }),
      ),
    );
    await waitFor(() => settled >= CAP);
    spy.mockRestore();
    await untilSlotsHeld(browser, 0);
    expect(slotsHeld(browser)).toBe(0);
    for (let i = 0; i < CAP; i++) track(await readySocket(stack.url, browser));
  });

  it.each(RESERVED)(
    'refuses to publish the gateway’s own "%s" frame through POST /internal/publish, and no socket receives it',
    async (type) => {
      const browser = await loggedIn(stack.url);
      const socket = track(await readySocket(stack.url, browser));
      // Its own session's channel, so that nothing else listening on the shared Redis is disturbed.
      const own = sessionChannel(sessionIdOf(browser));
      const forged = { type, data: { sub: 'mallory' } };
      for (const channel of [own, 'bff:ws:user:alice', 'bff:ws:broadcast']) {
        const response = await post({ channel, message: forged });
        expect(response.status).toBe(400);
        expect(await response.json()).toEqual({ error: 'invalid_publish', message: expect.stringContaining(type) });
      }
      const genuine = { type: 'notification', data: { message: 'after the forgery' } };
      expect((await post({ channel: own, message: genuine })).status).toBe(202);
      expect(await socket.next()).toEqual(genuine);
    },
  );

  it('refuses the gateway’s own frame types in NotificationPublisher too', async () => {
    const publisher = stack.bffs[0]!.app.get(NotificationPublisher);
    for (const type of RESERVED) {
      await expect(publisher.toUser('alice', { type })).rejects.toMatchObject({ code: 'invalid_publish', status: 400 });
    }
  });

  it('does not deliver the gateway’s own frame types published straight to Redis, and delivers what follows', async () => {
    const browser = await loggedIn(stack.url);
    const socket = track(await readySocket(stack.url, browser));
    const own = sessionChannel(sessionIdOf(browser));
    const config = testRedisConfig();
    const redis = createRedisClient(config, 'test-forger');
    await connectRedis(redis, config);
    try {
      for (const type of RESERVED) {
        expect(await redis.publish(own, JSON.stringify({ type, data: { sub: 'mallory' } }))).toBe(1);
      }
      await redis.publish(own, JSON.stringify({ type: 'notification', data: 'genuine' }));
    } finally {
      await redis.quit();
    }
    expect(await socket.next()).toEqual({ type: 'notification', data: 'genuine' });
  });
});
