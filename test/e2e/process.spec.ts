import { randomBytes } from 'node:crypto';
import { connectRedis, createRedisClient } from '@bff/cluster';
import { createDevIdp, type DevIdp } from '@bff/dev-idp';
import { parseTicket, SessionService } from '@bff/session';
import { refreshLockKey } from '@bff/token';
import { BrowserClient } from '../support/browser-client';
import { startStack, TEST_CLIENT } from '../support/bff-stack';
import { spawnBff, waitUntilLive } from '../support/bff-process';
import { EchoUpstream } from '../support/echo-upstream';
import { freePort } from '../support/free-port';
import { testRedisConfig, testRedisUrl } from '../support/redis';
import { openSocket } from '../support/socket-client';

describe('the BFF as a process', () => {
  it('exits 1 and names every bad variable at once', async () => {
    const bff = spawnBff({ PORT: 'eighty', SESSION_SECRET: 'short' });
    expect((await bff.exited).code).toBe(1);
    for (const name of ['PORT', 'OIDC_ISSUER', 'OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET', 'SESSION_SECRET']) {
      expect(bff.output()).toContain(`${name}: `);
    }
    expect(bff.output()).not.toContain('short');
  }, 20_000);

  it('exits 1 with a clear message when Redis is unreachable at boot', async () => {
    const idp = await createDevIdp({ port: 0, clients: [] });
    try {
      const bff = spawnBff({
        OIDC_ISSUER: idp.issuer,
        OIDC_CLIENT_ID: 'x',
        OIDC_CLIENT_SECRET: 'y',
        SESSION_SECRET: 's'.repeat(32),
        PORT: String(await freePort()),
        REDIS_URL: 'redis://127.0.0.1:1',
        REDIS_CONNECT_TIMEOUT_MS: '500',
      });
      expect((await bff.exited).code).toBe(1);
      expect(bff.output()).toContain('Cannot reach Redis at 127.0.0.1:1 (REDIS_URL)');
    } finally {
      await idp.close();
    }
  }, 20_000);

  describe('on SIGTERM under load', () => {
    let idp: DevIdp;
    let upstream: EchoUpstream;
    beforeAll(async () => {
      upstream = await EchoUpstream.start();
    });
    afterAll(async () => {
      await idp.close();
      await upstream.close();
    });

    it('finishes in-flight requests, closes sockets with 1001, refuses new work and exits 0', async () => {
      const port = await freePort();
      const url = `http://localhost:${String(port)}`;
      idp = await createDevIdp({
        port: 0,
        clients: [{ ...TEST_CLIENT, redirectUris: [`${url}/auth/callback`], postLogoutRedirectUris: [`${url}/`] }],
      });
      const bff = spawnBff({
        PORT: String(port),
        BFF_PUBLIC_URL: url,
        OIDC_ISSUER: idp.issuer,
        OIDC_CLIENT_ID: TEST_CLIENT.clientId,
        OIDC_CLIENT_SECRET: TEST_CLIENT.clientSecret,
        SESSION_SECRET: randomBytes(32).toString('base64url'),
        REDIS_URL: testRedisUrl(),
        BFF_ROUTES: JSON.stringify([{ name: 'echo', upstream: upstream.url, token: 'user' }]),
      });
      try {
        await waitUntilLive(url, bff);
        const browser = new BrowserClient();
        await browser.login(url);
        const socket = await openSocket(url, browser);
        expect(await socket.next()).toMatchObject({ type: 'ready' });

        const inFlight = Array.from({ length: 5 }, () => browser.api(`${url}/api/echo/slow/800`));
        await new Promise((resolve) => setTimeout(resolve, 200));
        bff.child.kill('SIGTERM');

        expect((await socket.closed).code).toBe(1001);
        const responses = await Promise.all(inFlight);
        expect(responses.map((response) => response.status)).toEqual([200, 200, 200, 200, 200]);
        expect(await bff.exited).toEqual({ code: 0, signal: null });
        await expect(fetch(`${url}/health/live`)).rejects.toThrow();
      } finally {
        if (bff.child.exitCode === null) bff.child.kill('SIGKILL');
      }
    }, 30_000);
  });
});

describe('an instance killed with SIGKILL while it holds the refresh lock', () => {
  it('lets the other instances refresh once its lease runs out', async () => {
    const upstream = await EchoUpstream.start();
    const routes = JSON.stringify([{ name: 'echo', upstream: upstream.url, token: 'user' }]);
    const timing = {
      OIDC_HTTP_TIMEOUT_MS: '2500',
      TOKEN_REFRESH_LOCK_LEASE_MS: '3000',
      TOKEN_REFRESH_LOCK_WAIT_MS: '8000',
    };
    const stack = await startStack({ env: { BFF_ROUTES: routes, ...timing } });
    const redis = createRedisClient(testRedisConfig(), 'test-lock-watch');
    await connectRedis(redis, testRedisConfig());
    const port = await freePort();
    const doomed = spawnBff({ ...stack.env, ...timing, PORT: String(port), BFF_ROUTES: routes });
    try {
      await waitUntilLive(`http://localhost:${String(port)}`, doomed);
      const browser = new BrowserClient();
      await browser.login(stack.url);
      const sessions = stack.bffs[0]!.app.get(SessionService);
      const ticket = parseTicket(browser.cookie('__Host-bff'))!;
      const session = (await sessions.reload(ticket))!;
      await sessions.saveTokens(session, { ...session.record.tokens, accessTokenExpiresAt: Date.now() - 1 });

      // The doomed instance takes the lock and hangs in the token call...
      stack.idp.setFault('token-endpoint-hang');
      void browser.api(`http://localhost:${String(port)}/api/echo/x`).catch(() => undefined);
      let held = 0;
      for (let attempt = 0; attempt < 50 && held === 0; attempt++) {
        held = await redis.exists(refreshLockKey(ticket.id));
        if (held === 0) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(held).toBe(1);
      // ...and dies holding it.
      doomed.child.kill('SIGKILL');
      expect((await doomed.exited).signal).toBe('SIGKILL');
      stack.idp.setFault(null);

      const refreshesBefore = stack.idp.stats.grants.refresh_token ?? 0;
      const response = await browser.api(`${stack.url}/api/echo/y`);
      expect(response.status).toBe(200);
      expect((stack.idp.stats.grants.refresh_token ?? 0) - refreshesBefore).toBe(1);
    } finally {
      if (doomed.child.exitCode === null) doomed.child.kill('SIGKILL');
      await redis.quit();
      await stack.close();
      await upstream.close();
    }
  }, 30_000);
});
