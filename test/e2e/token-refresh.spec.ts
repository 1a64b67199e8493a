import { connectRedis, createRedisClient, type RedisClient } from '@bff/cluster';
import type { OpenedSession } from '@bff/session';
import { RedisRefreshLock, refreshLockKey } from '@bff/token';
import { BrowserClient } from '../support/browser-client';
import { sessionOf, startStack, type Stack } from '../support/bff-stack';
import { EchoUpstream, type SeenRequest } from '../support/echo-upstream';
import { testRedisConfig } from '../support/redis';

/** Makes the stored access token look expired, as it would be after its lifetime. */
async function expireAccessToken(stack: Stack, browser: BrowserClient): Promise<OpenedSession> {
  const { service, session } = await sessionOf(stack, browser);
  await service.saveTokens(session, { ...session.record.tokens, accessTokenExpiresAt: Date.now() - 1000 });
  return session;
}

const tokenOf = (seen: SeenRequest): string => String(seen.headers.authorization).replace(/^Bearer /, '');

describe('token refresh across three instances sharing Redis', () => {
  let upstream: EchoUpstream;
  let stack: Stack;
  let lockClient: RedisClient;

  beforeAll(async () => {
    upstream = await EchoUpstream.start();
    stack = await startStack({
      instances: 3,
      env: {
        BFF_ROUTES: JSON.stringify([{ name: 'echo', upstream: upstream.url, token: 'user' }]),
        OIDC_HTTP_TIMEOUT_MS: '1500',
        TOKEN_REFRESH_LOCK_LEASE_MS: '2000',
        TOKEN_REFRESH_LOCK_WAIT_MS: '4000',
      },
    });
    const config = testRedisConfig();
    lockClient = createRedisClient(config, 'test-lock-holder');
    await connectRedis(lockClient, config);
  });
  afterAll(async () => {
    await lockClient.quit();
    await stack.close();
    await upstream.close();
  });
  afterEach(() => {
    stack.idp.setFault(null);
  });

  it('300 concurrent requests on an expired token over 3 instances make exactly one refresh call', async () => {
    const browser = new BrowserClient();
    await browser.login(stack.url);
    const before = await expireAccessToken(stack, browser);
    const oldAccess = before.record.tokens.accessToken;
    const oldRefresh = before.record.tokens.refreshToken;
    const refreshesBefore = stack.idp.stats.grants.refresh_token ?? 0;
    const seenBefore = upstream.seen.length;

    const responses = await Promise.all(
      Array.from({ length: 300 }, (_, i) => browser.api(`${stack.bffs[i % 3]!.url}/api/echo/n/${String(i)}`)),
    );

    expect(responses.map((r) => r.status)).toEqual(Array.from({ length: 300 }, () => 200));
    expect((stack.idp.stats.grants.refresh_token ?? 0) - refreshesBefore).toBe(1);
    const tokens = new Set(upstream.seen.slice(seenBefore).map(tokenOf));
    expect(tokens.size).toBe(1);
    expect(tokens.has(oldAccess)).toBe(false);
    const { session: after } = await sessionOf(stack, browser);
    expect(after.record.tokens.accessToken).toBe([...tokens][0]);
    expect(after.record.tokens.refreshToken).toBeDefined();
    expect(after.record.tokens.refreshToken).not.toBe(oldRefresh);
    expect(after.record.tokens.accessTokenExpiresAt).toBeGreaterThan(Date.now());
  });

  it('does not refresh a token that is still fresh', async () => {
    const browser = new BrowserClient();
    await browser.login(stack.url);
    const refreshesBefore = stack.idp.stats.grants.refresh_token ?? 0;
    for (const bff of stack.bffs) expect((await browser.api(`${bff.url}/api/echo/x`)).status).toBe(200);
    expect(stack.idp.stats.grants.refresh_token ?? 0).toBe(refreshesBefore);
  });

  it('ends the session with 401 when the IdP rejects the refresh token (invalid_grant)', async () => {
    const browser = new BrowserClient();
    await browser.login(stack.url);
    const { service, session } = await sessionOf(stack, browser);
    await service.saveTokens(session, {
      ...session.record.tokens,
      refreshToken: 'revoked-or-bogus',
      accessTokenExpiresAt: Date.now() - 1,
    });
    const response = await browser.api(`${stack.url}/api/echo/x`);
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: 'session_expired' });
    for (const bff of stack.bffs) expect((await browser.api(`${bff.url}/auth/user`)).status).toBe(401);
  });

  it('answers 503 and keeps the session when the IdP fails during refresh, then recovers', async () => {
    const browser = new BrowserClient();
    await browser.login(stack.url);
    await expireAccessToken(stack, browser);
    stack.idp.setFault('token-endpoint-500');
    const failed = await browser.api(`${stack.url}/api/echo/x`);
    expect(failed.status).toBe(503);
    expect(await failed.json()).toMatchObject({ error: 'idp_unavailable' });
    stack.idp.setFault('token-endpoint-hang');
    expect((await browser.api(`${stack.url}/api/echo/x`)).status).toBe(503);
    expect((await browser.api(`${stack.url}/auth/user`)).status).toBe(200);
    stack.idp.setFault(null);
    expect((await browser.api(`${stack.url}/api/echo/x`)).status).toBe(200);
  });

  it('proceeds after the lease when a lock holder dies without releasing', async () => {
    const browser = new BrowserClient();
    await browser.login(stack.url);
    const session = await expireAccessToken(stack, browser);
    // A holder that took the lock for its lease and then vanished: nobody will release it.
    const holder = await new RedisRefreshLock(lockClient).acquire(refreshLockKey(session.ticket.id), 1000, 100);
    expect(holder).toBeDefined();
    const response = await browser.api(`${stack.bffs[1]!.url}/api/echo/x`);
    expect(response.status).toBe(200);
  });

  it('answers 503 instead of hanging when the lock is held past the bounded wait', async () => {
    const browser = new BrowserClient();
    await browser.login(stack.url);
    const session = await expireAccessToken(stack, browser);
    const holder = await new RedisRefreshLock(lockClient).acquire(refreshLockKey(session.ticket.id), 30_000, 100);
    try {
      const response = await browser.api(`${stack.url}/api/echo/x`);
      expect(response.status).toBe(503);
      expect(await response.json()).toMatchObject({ error: 'refresh_in_progress' });
      expect((await browser.api(`${stack.url}/auth/user`)).status).toBe(200);
    } finally {
      await holder?.release();
    }
    expect((await browser.api(`${stack.url}/api/echo/x`)).status).toBe(200);
  }, 15_000);

  it('honours a logout on instance A at instance B at once, even with a long session cache', async () => {
    const cached = await startStack({
      instances: 2,
      env: {
        SESSION_CACHE_MS: '60000',
        BFF_ROUTES: JSON.stringify([{ name: 'echo', upstream: upstream.url, token: 'user' }]),
      },
    });
    try {
      const [a, b] = cached.bffs.map((bff) => bff.url) as [string, string];
      const browser = new BrowserClient();
      await browser.login(a);
      expect((await browser.api(`${b}/api/echo/x`)).status).toBe(200);
      const { logoutUrl } = (await (await browser.api(`${a}/auth/user`)).json()) as { logoutUrl: string };
      const cookie = browser.cookie('__Host-bff') ?? '';
      expect((await browser.fetch(`${a}${logoutUrl}`)).status).toBe(302);
      // Pub/sub delivery is asynchronous; allow it a bounded number of short polls, far below the cache's 60 s.
      let status = 0;
      for (let attempt = 0; attempt < 20 && status !== 401; attempt++) {
        status = (await fetch(`${b}/api/echo/x`, { headers: { 'x-csrf': '1', cookie: `__Host-bff=${cookie}` } }))
          .status;
        if (status !== 401) await new Promise((resolve) => setTimeout(resolve, 25));
      }
      expect(status).toBe(401);
    } finally {
      await cached.close();
    }
  });
});

describe('token refresh with the in-memory store (single instance, local lock)', () => {
  it('refreshes once for concurrent requests', async () => {
    const upstream = await EchoUpstream.start();
    const stack = await startStack({
      redis: false,
      env: { BFF_ROUTES: JSON.stringify([{ name: 'echo', upstream: upstream.url, token: 'user' }]) },
    });
    try {
      const browser = new BrowserClient();
      await browser.login(stack.url);
      await expireAccessToken(stack, browser);
      const before = stack.idp.stats.grants.refresh_token ?? 0;
      const statuses = await Promise.all(
        Array.from({ length: 50 }, () => browser.api(`${stack.url}/api/echo/x`).then((r) => r.status)),
      );
      expect(statuses.every((s) => s === 200)).toBe(true);
      expect((stack.idp.stats.grants.refresh_token ?? 0) - before).toBe(1);
    } finally {
      await stack.close();
      await upstream.close();
    }
  });
});
