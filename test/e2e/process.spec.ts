import { randomBytes } from 'node:crypto';
import { createDevIdp, type DevIdp } from '@bff/dev-idp';
import { BrowserClient } from '../support/browser-client';
import { TEST_CLIENT } from '../support/bff-stack';
import { spawnBff, waitUntilLive } from '../support/bff-process';
import { EchoUpstream } from '../support/echo-upstream';
import { freePort } from '../support/free-port';
import { testRedisUrl } from '../support/redis';
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
