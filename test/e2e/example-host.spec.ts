import { randomBytes } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createDemoApi, type DemoApi } from '@bff/demo-api';
import { createDevIdp, type DevIdp } from '@bff/dev-idp';
import { createExampleHost } from '@bff/example-host';
import { BrowserClient } from '../support/browser-client';
import { TEST_CLIENT } from '../support/bff-stack';
import { freePort } from '../support/free-port';
import { testRedisUrl } from '../support/redis';
import { openSocket } from '../support/socket-client';

interface Dashboard {
  user: string;
  sessionExpiresAt: string;
  token: { sub: string; aud: string; exp: number };
  orders: { owner: string; orders: { id: string }[] };
}

/**
 * apps/example-host: a team's own Nest app with `BffModule` imported and
 * `setupBff` called, configured in code (not from the environment), with a
 * local API that aggregates two calls to the demo API.
 */
describe('a host app with BffModule (apps/example-host)', () => {
  let idp: DevIdp;
  let demoApi: DemoApi;
  let host: NestFastifyApplication;
  let url: string;
  let browser: BrowserClient;

  beforeAll(async () => {
    const port = await freePort();
    url = `http://localhost:${String(port)}`;
    idp = await createDevIdp({
      accessTokenTtlSeconds: 2,
      clients: [{ ...TEST_CLIENT, redirectUris: [`${url}/auth/callback`], postLogoutRedirectUris: [`${url}/`] }],
    });
    demoApi = await createDemoApi({
      issuer: idp.issuer,
      audience: 'http://localhost:4001',
      publisher: { publish: () => Promise.resolve() },
    });
    host = await createExampleHost({
      server: { port, publicUrl: url },
      oidc: { issuer: idp.issuer, clientId: TEST_CLIENT.clientId, clientSecret: TEST_CLIENT.clientSecret },
      session: { secret: randomBytes(32).toString('base64url') },
      redis: { url: testRedisUrl() },
      proxy: { routes: [{ name: 'demo', upstream: demoApi.url, token: 'user' }] },
    });
    await host.listen({ port });
    browser = new BrowserClient();
    await browser.login(url);
  });
  afterAll(async () => {
    await host.close();
    await demoApi.close();
    await idp.close();
  });

  it('answers the local API with one combined view of two downstream calls, made with the user token', async () => {
    const response = await browser.api(`${url}/local/dashboard`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as Dashboard;
    expect(body.user).toBe('alice');
    expect(body.token).toMatchObject({ sub: 'alice', aud: 'http://localhost:4001' });
    expect(body.orders.owner).toBe('alice');
    expect(body.orders.orders).toHaveLength(2);
    expect(new Date(body.sessionExpiresAt).getTime()).toBeGreaterThan(Date.now());
    expect(JSON.stringify(body)).not.toMatch(/eyJ/);
  });

  it('refuses the local API without X-CSRF (403), cross-site (403) and without a session (401), in JSON', async () => {
    const noCsrf = await browser.fetch(`${url}/local/dashboard`);
    expect(noCsrf.status).toBe(403);
    expect(await noCsrf.json()).toEqual({ error: 'csrf_header_missing', message: expect.any(String) });
    const crossSite = await browser.api(`${url}/local/dashboard`, { headers: { 'sec-fetch-site': 'cross-site' } });
    expect(crossSite.status).toBe(403);
    expect(await crossSite.json()).toMatchObject({ error: 'cross_site_request' });
    const anonymous = await new BrowserClient().api(`${url}/local/dashboard`);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toEqual({ error: 'session_required', message: expect.any(String) });
  });

  it('hands the local API a refreshed token once the old one has expired, as the proxy would', async () => {
    const first = (await (await browser.api(`${url}/local/dashboard`)).json()) as Dashboard;
    const grantsBefore = idp.stats.grants.refresh_token ?? 0;
    // The dev IdP issues 2 s tokens here; wait until this one is past its own exp.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, first.token.exp * 1000 - Date.now()) + 50));
    const second = (await (await browser.api(`${url}/local/dashboard`)).json()) as Dashboard;
    expect(second.token.exp).toBeGreaterThan(first.token.exp);
    expect(idp.stats.grants.refresh_token ?? 0).toBeGreaterThan(grantsBefore);
  });

  it('serves the rest of the BFF as the standalone server does: /auth/user, /api, /ws, health, metrics', async () => {
    const user = await browser.api(`${url}/auth/user`);
    expect(user.status).toBe(200);
    expect(((await user.json()) as { sub: string }).sub).toBe('alice');
    const proxied = await browser.api(`${url}/api/demo/me`);
    expect(proxied.status).toBe(200);
    expect(proxied.headers.get('x-content-type-options')).toBe('nosniff');
    expect((await fetch(`${url}/health/live`)).status).toBe(200);
    expect(await (await fetch(`${url}/metrics`)).text()).toContain('bff_http_requests_total');
    const socket = await openSocket(url, browser);
    expect(await socket.next()).toEqual({ type: 'ready', data: { sub: 'alice' } });
    socket.socket.terminate();
  });

  it("leaves the host's own routes to the host: an unknown path gets Nest's answer, not the BFF's", async () => {
    const response = await fetch(`${url}/no-such-host-route`);
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ statusCode: 404 });
  });
});
