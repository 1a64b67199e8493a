import { connectRedis, createRedisClient } from '@bff/cluster';
import { BrowserClient } from '../support/browser-client';
import { startStack, type Stack } from '../support/bff-stack';
import { rawRequest } from '../support/raw-http';
import { testRedisConfig, testRedisUrl } from '../support/redis';
import { openSocket, readySocket } from '../support/socket-client';

const INTERNAL_TOKEN = 'internal-token-for-session-tests';
/*
 * A Redis database of this suite's own: the `sub` indexes of the demo users (alice, bob) are shared
 * by every stack on one database, and revoking all of alice's sessions must not end those of suites
 * running at the same time. Pub/sub is not per database, which the session-ended fan-out needs.
 */
const DB = 7;
const redisUrl = (): string => `${testRedisUrl().replace(/\/\d*$/, '')}/${String(DB)}`;

interface Listed {
  handle: string;
  createdAt: string | null;
  lastSeenAt: string | null;
  expiresAt: string;
  userAgent: string | null;
  current: boolean;
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** A browser logged in as `user` that sends `userAgent` with every request. */
async function browserAs(url: string, user: string, userAgent: string): Promise<BrowserClient> {
  const browser = new BrowserClient();
  const fetchOf = browser.fetch.bind(browser);
  browser.fetch = (target, init) => {
    const headers = new Headers(init?.headers);
    headers.set('user-agent', userAgent);
    return fetchOf(target, { ...init, headers });
  };
  const callback = await browser.login(url, user, user);
  expect(callback.status).toBe(302);
  return browser;
}

// Each suite starts a real stack (IdP, BFF instances, Redis): jest's 5 s default is tight on a busy 2-core machine.
jest.setTimeout(30_000);

describe('the sessions API: GET /auth/sessions, DELETE /auth/sessions/<handle>, POST /internal/sessions/revoke', () => {
  let stack: Stack;
  beforeAll(async () => {
    const config = testRedisConfig({ url: redisUrl() });
    const redis = createRedisClient(config, 'sessions-e2e');
    await connectRedis(redis, config);
    await redis.flushdb();
    await redis.quit();
    stack = await startStack({ instances: 2, env: { REDIS_URL: redisUrl(), BFF_INTERNAL_TOKEN: INTERNAL_TOKEN } });
  });
  afterAll(async () => {
    await stack.close();
  });

  const list = async (browser: BrowserClient, url = stack.url): Promise<Listed[]> => {
    const response = await browser.api(`${url}/auth/sessions`);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    return (await response.json()) as Listed[];
  };
  const end = (browser: BrowserClient, handle: string, url = stack.url) =>
    browser.api(`${url}/auth/sessions/${handle}`, { method: 'DELETE' });
  const revoke = (body: string, headers: Record<string, string> = {}) =>
    fetch(`${stack.url}/internal/sessions/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${INTERNAL_TOKEN}`, ...headers },
      body,
    });

  it("lists the caller's own sessions in every browser, with opaque handles, times and user agents", async () => {
    const laptop = await browserAs(stack.url, 'alice', 'Laptop/1.0');
    const phone = await browserAs(stack.bffs[1]!.url, 'alice', `Phone/2.0\t${'x'.repeat(400)}`);
    const bob = await browserAs(stack.url, 'bob', 'Bob/1.0');
    const sessions = await list(laptop, stack.bffs[1]!.url);
    expect(sessions).toHaveLength(2);
    const [newest, oldest] = sessions as [Listed, Listed];
    expect(newest).toMatchObject({ current: false, userAgent: `Phone/2.0${'x'.repeat(247)}` });
    expect(oldest).toMatchObject({ current: true, userAgent: 'Laptop/1.0' });
    for (const session of sessions) {
      expect(Object.keys(session).sort()).toEqual(
        ['createdAt', 'current', 'expiresAt', 'handle', 'lastSeenAt', 'userAgent'].sort(),
      );
      expect(session.handle).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(session.createdAt).toMatch(ISO);
      expect(session.lastSeenAt).toMatch(ISO);
      expect(session.expiresAt).toMatch(ISO);
      expect(Date.parse(session.expiresAt)).toBeGreaterThan(Date.now());
    }
    // The handle is neither the ticket nor its id, in either browser's cookie.
    for (const browser of [laptop, phone]) {
      const [, id = '', secret = ''] = (browser.cookie('__Host-bff') ?? '').split('.');
      for (const session of sessions) {
        expect(session.handle).not.toBe(id);
        expect(JSON.stringify(sessions)).not.toContain(id);
        expect(JSON.stringify(sessions)).not.toContain(secret);
      }
    }
    // Each browser sees the same sessions, its own marked current; bob sees only his.
    expect((await list(phone)).map((s) => [s.handle, s.current])).toEqual([
      [newest.handle, true],
      [oldest.handle, false],
    ]);
    expect((await list(bob)).map((s) => s.current)).toEqual([true]);
  });

  it('ends another session with DELETE: 204, its socket on the other instance closes with 4001 and its cookie is refused there', async () => {
    const laptop = await browserAs(stack.url, 'alice', 'Laptop/1.0');
    const phone = await browserAs(stack.url, 'alice', 'Phone/2.0');
    const phoneSocket = await readySocket(stack.bffs[1]!.url, phone);
    // The phone's session is in instance 1's cache now; the pub/sub message must drop it.
    expect((await phone.api(`${stack.bffs[1]!.url}/auth/user`)).status).toBe(200);
    const target = (await list(laptop)).find((s) => !s.current && s.userAgent === 'Phone/2.0');
    const before = (await list(laptop)).length;
    const response = await end(laptop, target!.handle);
    expect(response.status).toBe(204);
    expect(await response.text()).toBe('');
    // Only the caller's own session clears the caller's cookie.
    expect(response.headers.getSetCookie()).toEqual([]);
    expect((await phoneSocket.closed).code).toBe(4001);
    for (const bff of stack.bffs) {
      const refused = await phone.api(`${bff.url}/auth/user`);
      expect(refused.status).toBe(401);
      expect(await refused.json()).toMatchObject({ error: 'session_required' });
    }
    expect((await laptop.api(`${stack.bffs[1]!.url}/auth/user`)).status).toBe(200);
    const after = await list(laptop);
    expect(after).toHaveLength(before - 1);
    expect(after.map((s) => s.handle)).not.toContain(target!.handle);
    // Its handle is gone: a second DELETE is a 404.
    expect((await end(laptop, target!.handle, stack.bffs[1]!.url)).status).toBe(404);
  });

  it("ends the caller's own session from the list as a logout: the cookie is cleared and its socket closes", async () => {
    const browser = await browserAs(stack.url, 'alice', 'Tablet/3.0');
    const socket = await readySocket(stack.bffs[1]!.url, browser);
    const own = (await list(browser)).find((s) => s.current);
    const response = await end(browser, own!.handle);
    expect(response.status).toBe(204);
    expect(response.headers.getSetCookie().some((line) => /^__Host-bff=;.*Max-Age=0/i.test(line))).toBe(true);
    expect((await socket.closed).code).toBe(4001);
    expect((await browser.api(`${stack.url}/auth/user`)).status).toBe(401);
  });

  it("answers 404 session_not_found for an unknown handle, another user's handle and any malformed one, ending nothing", async () => {
    const alice = await browserAs(stack.url, 'alice', 'Laptop/1.0');
    const bob = await browserAs(stack.url, 'bob', 'Bob/1.0');
    const bobsHandle = (await list(bob)).find((s) => s.current)!.handle;
    const alicesCount = (await list(alice)).length;
    const ownHandle = (await list(alice)).find((s) => s.current)!.handle;
    const cases = [
      'A'.repeat(43),
      bobsHandle,
      ownHandle.slice(0, 42),
      `${ownHandle}A`,
      'A'.repeat(99),
      encodeURIComponent(`${ownHandle}=`),
      bobsHandle.replace(/^./, (c) => `%${c.charCodeAt(0).toString(16)}`),
      encodeURIComponent(` ${ownHandle}`),
      `..%2F..%2Fauth%2Fuser`,
      `${ownHandle.slice(0, 40)}%00AA`,
      `${ownHandle.slice(0, 40)}%2FAA`,
    ];
    for (const handle of cases) {
      const response = await end(alice, handle);
      expect([handle.slice(0, 60), response.status]).toEqual([handle.slice(0, 60), 404]);
      const { error } = (await response.json()) as { error: string };
      expect([handle.slice(0, 60), error]).toEqual([handle.slice(0, 60), 'session_not_found']);
    }
    // Spellings a URL parser would resolve before sending, sent as raw bytes.
    for (const handle of ['%2e%2e', '%2E%2e%2F%2e%2e', '..%2F..%2Fauth%2Fuser', '.%2e']) {
      const raw = await rawRequest(
        Number(new URL(stack.url).port),
        `DELETE /auth/sessions/${handle} HTTP/1.1\r\nHost: localhost\r\nX-CSRF: 1\r\nCookie: ${alice.cookieHeader()}\r\nConnection: close\r\n\r\n`,
      );
      expect([handle, raw.status, JSON.parse(raw.body)]).toEqual([
        handle,
        404,
        expect.objectContaining({ error: 'session_not_found' }),
      ]);
    }
    // A handle longer than the router takes in a path parameter: 414, as on every route.
    const huge = await end(alice, 'A'.repeat(5000));
    expect(huge.status).toBe(414);
    expect(await huge.json()).toMatchObject({ error: expect.any(String) });
    expect((await bob.api(`${stack.url}/auth/user`)).status).toBe(200);
    expect(await list(alice)).toHaveLength(alicesCount);
    // A percent-encoded unreserved character is the same URI (RFC 3986 §6.2.2.2): the same handle.
    const encoded = ownHandle.replace(/^./, (c) => `%${c.charCodeAt(0).toString(16)}`);
    expect((await end(alice, encoded)).status).toBe(204);
    expect((await alice.api(`${stack.url}/auth/user`)).status).toBe(401);
  });

  it('needs X-CSRF: 1 and a same-origin browser (403), then a session (401)', async () => {
    const alice = await browserAs(stack.url, 'alice', 'Laptop/1.0');
    const handle = (await list(alice)).find((s) => s.current)!.handle;
    for (const [method, path] of [
      ['GET', '/auth/sessions'],
      ['DELETE', `/auth/sessions/${handle}`],
    ] as const) {
      const missing = await alice.fetch(`${stack.url}${path}`, { method });
      expect(missing.status).toBe(403);
      expect(await missing.json()).toMatchObject({ error: 'csrf_header_missing' });
      const wrong = await alice.fetch(`${stack.url}${path}`, { method, headers: { 'x-csrf': '0' } });
      expect(wrong.status).toBe(403);
      const crossSite = await alice.api(`${stack.url}${path}`, { method, headers: { 'sec-fetch-site': 'cross-site' } });
      expect(crossSite.status).toBe(403);
      expect(await crossSite.json()).toMatchObject({ error: 'cross_site_request' });
      const anonymous = await new BrowserClient().api(`${stack.url}${path}`, { method });
      expect(anonymous.status).toBe(401);
      expect(await anonymous.json()).toMatchObject({ error: 'session_required' });
    }
    // None of the refusals ended anything.
    expect((await list(alice)).some((s) => s.handle === handle)).toBe(true);
  });

  it('answers other methods and paths with 404 not_found, as every /auth route does', async () => {
    const alice = await browserAs(stack.url, 'alice', 'Laptop/1.0');
    const handle = (await list(alice)).find((s) => s.current)!.handle;
    for (const [method, path] of [
      ['POST', '/auth/sessions'],
      ['PUT', '/auth/sessions'],
      ['DELETE', '/auth/sessions'],
      ['GET', `/auth/sessions/${handle}`],
      ['POST', `/auth/sessions/${handle}`],
      ['PATCH', `/auth/sessions/${handle}`],
      ['DELETE', `/auth/sessions/${handle}/x`],
      ['GET', '/internal/sessions/revoke'],
    ] as const) {
      const response = await alice.api(`${stack.url}${path}`, { method });
      expect([method, path, response.status]).toEqual([method, path, 404]);
      expect(await response.json()).toMatchObject({ error: 'not_found' });
    }
    // A raw request whose path walks out of the route is not a handle either.
    const raw = await rawRequest(
      Number(new URL(stack.url).port),
      `DELETE /auth/sessions/../user HTTP/1.1\r\nHost: localhost\r\nX-CSRF: 1\r\nCookie: ${alice.cookieHeader()}\r\nConnection: close\r\n\r\n`,
    );
    expect(raw.status).toBe(404);
    expect((await alice.api(`${stack.url}/auth/user`)).status).toBe(200);
  });

  it('revokes every session of a user with POST /internal/sessions/revoke: 202, sockets close 4001 on every instance', async () => {
    const first = await browserAs(stack.url, 'bob', 'Bob/1.0');
    const second = await browserAs(stack.bffs[1]!.url, 'bob', 'Bob/2.0');
    const alice = await browserAs(stack.url, 'alice', 'Laptop/1.0');
    const sockets = [await readySocket(stack.url, first), await readySocket(stack.bffs[1]!.url, second)];
    const response = await revoke(JSON.stringify({ sub: 'bob' }));
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ ended: expect.any(Number) });
    for (const socket of sockets) expect((await socket.closed).code).toBe(4001);
    for (const browser of [first, second])
      for (const bff of stack.bffs) expect((await browser.api(`${bff.url}/auth/user`)).status).toBe(401);
    expect((await alice.api(`${stack.bffs[1]!.url}/auth/user`)).status).toBe(200);
    // Nothing left to end: still 202.
    expect(await (await revoke(JSON.stringify({ sub: 'bob' }))).json()).toEqual({ ended: 0 });
  });

  it('refuses a revoke without the internal token (401) or with a bad body (400), ending nothing', async () => {
    const alice = await browserAs(stack.url, 'alice', 'Laptop/1.0');
    const noToken = await fetch(`${stack.url}/internal/sessions/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sub: 'alice' }),
    });
    expect(noToken.status).toBe(401);
    expect(await noToken.json()).toMatchObject({ error: 'invalid_internal_token' });
    const wrongToken = await revoke(JSON.stringify({ sub: 'alice' }), { authorization: 'Bearer wrong' });
    expect(wrongToken.status).toBe(401);
    const notBearer = await revoke(JSON.stringify({ sub: 'alice' }), { authorization: INTERNAL_TOKEN });
    expect(notBearer.status).toBe(401);
    for (const body of [
      '{}',
      '{"sub":""}',
      '{"sub":42}',
      '{"sub":["alice"]}',
      `{"sub":"${'a'.repeat(256)}"}`,
      '["alice"]',
      'null',
    ]) {
      const response = await revoke(body);
      expect([body.slice(0, 20), response.status]).toEqual([body.slice(0, 20), 400]);
      expect(await response.json()).toMatchObject({ error: 'invalid_revoke_request' });
    }
    const badJson = await revoke('{"sub":');
    expect(badJson.status).toBe(400);
    expect(await badJson.json()).toMatchObject({ error: expect.any(String) });
    expect((await alice.api(`${stack.url}/auth/user`)).status).toBe(200);
  });

  it('keeps the listing consistent with sessions that end by logout or expire', async () => {
    const browser = await browserAs(stack.url, 'alice', 'Logout/1.0');
    const handle = (await list(browser)).find((s) => s.current)!.handle;
    const user = (await (await browser.api(`${stack.url}/auth/user`)).json()) as { logoutUrl: string };
    expect((await browser.fetch(`${stack.url}${user.logoutUrl}`)).status).toBe(302);
    const other = await browserAs(stack.url, 'alice', 'Laptop/1.0');
    expect((await list(other)).map((s) => s.handle)).not.toContain(handle);
    // A socket opened with an ended session is refused: the listing never outlives the session.
    await expect(openSocket(stack.url, browser)).rejects.toMatchObject({ status: 401 });
  });
});
