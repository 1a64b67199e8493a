import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createDevIdp, type DevIdp } from '@bff/dev-idp';
import { spawnNode, waitUntilLive, type BffProcess } from '../support/bff-process';
import { BrowserClient } from '../support/browser-client';
import { TEST_CLIENT } from '../support/bff-stack';
import { EchoUpstream } from '../support/echo-upstream';
import { freePort } from '../support/free-port';
import { killChild } from '../support/kill-child';
import { createHostApp, packRepository, ROOT, sh } from '../support/packed-host';
import { testRedisUrl } from '../support/redis';

/**
 * The package as a Nest team gets it: `npm pack` at the root, the tarball
 * installed into a fresh TypeScript app compiled with `tsc`, booted against the
 * dev IdP and Redis, driven like a browser.
 */
describe('the nest-bff package in a fresh host app', () => {
  let tarball: string;
  let files: string[];
  let hostDir: string;
  let idp: DevIdp;
  let upstream: EchoUpstream;
  let host: BffProcess;
  let url: string;
  let browser: BrowserClient;

  beforeAll(async () => {
    tarball = await packRepository();
    files = (await sh('tar', ['-tzf', tarball], ROOT)).split('\n').filter((line) => line !== '');
    hostDir = await createHostApp(tarball);
    const port = await freePort();
    url = `http://localhost:${String(port)}`;
    idp = await createDevIdp({
      clients: [{ ...TEST_CLIENT, redirectUris: [`${url}/auth/callback`], postLogoutRedirectUris: [`${url}/`] }],
    });
    upstream = await EchoUpstream.start();
    host = spawnNode(
      [join('dist', 'main.js')],
      {
        PORT: String(port),
        BFF_PUBLIC_URL: url,
        OIDC_ISSUER: idp.issuer,
        OIDC_CLIENT_ID: TEST_CLIENT.clientId,
        OIDC_CLIENT_SECRET: TEST_CLIENT.clientSecret,
        SESSION_SECRET: randomBytes(32).toString('base64url'),
        REDIS_URL: testRedisUrl(),
        BFF_ROUTES: JSON.stringify([{ name: 'echo', upstream: upstream.url, token: 'user' }]),
      },
      hostDir,
    );
    await waitUntilLive(url, host);
    browser = new BrowserClient();
    await browser.login(url);
  }, 600_000);
  afterAll(async () => {
    await killChild(host.child);
    await upstream.close();
    await idp.close();
    rmSync(hostDir, { recursive: true, force: true });
    rmSync(dirname(tarball), { recursive: true, force: true });
  });

  it('packs the compiled libraries, the standalone server, the browser client, docs and the license only', () => {
    for (const expected of [
      'package/package.json',
      'package/LICENSE',
      'package/README.md',
      'package/dist/libs/bff-module/src/index.js',
      'package/dist/libs/bff-module/src/index.d.ts',
      'package/dist/apps/bff/src/main.js',
      'package/dist/client/index.js',
      'package/dist/client/index.d.ts',
      'package/docs/local-apis.md',
    ]) {
      expect(files).toContain(expected);
    }
    const unwanted = files.filter((file) =>
      /^package\/(test|bench|scripts|apps|libs|node_modules)\/|\/dev-idp\/|\/demo-api\/|\/demo-spa\/|\/example-host\/|\.spec\.|\.map$/.test(
        file,
      ),
    );
    expect(unwanted).toEqual([]);
  });

  it('gives every JavaScript file of the server API its declarations', () => {
    const js = files.filter((file) => file.startsWith('package/dist/libs/') && file.endsWith('.js'));
    expect(js.length).toBeGreaterThan(20);
    for (const file of js) expect(files).toContain(file.replace(/\.js$/, '.d.ts'));
  });

  it('installs the nest-bff command, which runs the standalone server and refuses a bad environment by name', async () => {
    const bin = spawnNode([join('node_modules', '.bin', 'nest-bff')], {}, hostDir);
    const { code } = await bin.exited;
    expect(code).toBe(1);
    expect(bin.output()).toMatch(/OIDC_ISSUER/);
  });

  it("guards the host's own endpoint with @BffApi(): 403 without X-CSRF, 401 without a session", async () => {
    const noCsrf = await browser.fetch(`${url}/local/me`);
    expect(noCsrf.status).toBe(403);
    expect(await noCsrf.json()).toMatchObject({ error: 'csrf_header_missing' });
    const anonymous = await new BrowserClient().api(`${url}/local/me`);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ error: 'session_required' });
  });

  it('gives the endpoint the session and a user token from UserAccessTokens', async () => {
    const response = await browser.api(`${url}/local/me`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { sub: string; tokenPayload: { sub: string; aud: string } };
    expect(body.sub).toBe('alice');
    expect(body.tokenPayload).toMatchObject({ sub: 'alice', aud: 'http://localhost:4001' });
  });

  it('serves /auth/user and proxies /api routes with the token injected, as the standalone server does', async () => {
    const user = await browser.api(`${url}/auth/user`);
    expect(((await user.json()) as { sub: string }).sub).toBe('alice');
    const proxied = await browser.api(`${url}/api/echo/orders`);
    expect(proxied.status).toBe(200);
    const seen = upstream.seen[upstream.seen.length - 1]!;
    expect(seen.url).toBe('/orders');
    expect(seen.headers.authorization).toMatch(/^Bearer eyJ/);
    expect(seen.headers.cookie).toBeUndefined();
  });
});
