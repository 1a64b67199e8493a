import { randomBytes } from 'node:crypto';
import { createBffApp } from '@bff/bff';
import { loadConfig } from '@bff/config';
import { BrowserClient } from '../support/browser-client';
import { startStack, type Stack } from '../support/bff-stack';
import { PrivateRedis } from '../support/private-redis';

async function expectNoSession(stack: Stack, cookieValue: string): Promise<void> {
  const response = await fetch(`${stack.url}/auth/user`, {
    headers: { 'x-csrf': '1', cookie: `__Host-bff=${cookieValue}` },
  });
  expect(response.status).toBe(401);
  expect(await response.json()).toMatchObject({ error: 'session_required' });
}

describe('session cookies that must not open a session', () => {
  let stack: Stack;
  let cookie: string;
  beforeAll(async () => {
    stack = await startStack();
    const browser = new BrowserClient();
    await browser.login(stack.url);
    cookie = browser.cookie('__Host-bff') ?? '';
  });
  afterAll(async () => {
    await stack.close();
  });

  it('tampered secret → 401, and the real session survives', async () => {
    const [version, id, secret = ''] = cookie.split('.');
    const flipped = (secret.startsWith('A') ? 'B' : 'A') + secret.slice(1);
    await expectNoSession(stack, `${version ?? ''}.${id ?? ''}.${flipped}`);
    const real = await fetch(`${stack.url}/auth/user`, { headers: { 'x-csrf': '1', cookie: `__Host-bff=${cookie}` } });
    expect(real.status).toBe(200);
  });

  it.each([
    ['a truncated cookie', (c: string) => c.slice(0, -5)],
    ['a cookie of another version', (c: string) => c.replace(/^v1/, 'v9')],
    ['a garbage cookie', () => '%00%ff<script>'],
    ['an empty cookie', () => ''],
  ])('%s → 401', async (_label, mutate) => {
    await expectNoSession(stack, mutate(cookie));
  });

  it('a cookie from a BFF with another SESSION_SECRET sharing the same Redis → 401', async () => {
    const other = await startStack({ env: { SESSION_SECRET: randomBytes(32).toString('base64url') } });
    try {
      const browser = new BrowserClient();
      await browser.login(other.url);
      await expectNoSession(stack, browser.cookie('__Host-bff') ?? '');
    } finally {
      await other.close();
    }
  });
});

describe('several instances sharing Redis behave as one', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ instances: 2 });
  });
  afterAll(async () => {
    await stack.close();
  });

  it('a session made on instance A is served by instance B and ended from B for A', async () => {
    const [a, b] = stack.bffs.map((bff) => bff.url) as [string, string];
    const browser = new BrowserClient();
    await browser.login(a);
    const user = await browser.api(`${b}/auth/user`);
    expect(user.status).toBe(200);
    const { logoutUrl } = (await user.json()) as { logoutUrl: string };
    expect((await browser.fetch(`${b}${logoutUrl}`)).status).toBe(302);
    expect((await browser.api(`${a}/auth/user`)).status).toBe(401);
  });
});

describe('the in-memory store (no REDIS_URL)', () => {
  it('serves the whole login on one instance', async () => {
    const stack = await startStack({ redis: false });
    try {
      const browser = new BrowserClient();
      expect((await browser.login(stack.url)).status).toBe(302);
      expect((await browser.api(`${stack.url}/auth/user`)).status).toBe(200);
    } finally {
      await stack.close();
    }
  });
});

describe('Redis going away', () => {
  let redis: PrivateRedis;
  let stack: Stack;
  beforeAll(async () => {
    redis = await PrivateRedis.start();
    // No hot-path cache here: this test is about every request that reaches Redis.
    stack = await startStack({ env: { REDIS_URL: redis.url, REDIS_COMMAND_TIMEOUT_MS: '500', SESSION_CACHE_MS: '0' } });
  });
  afterAll(async () => {
    await stack.close();
    await redis.stop();
  });

  it('answers 503 JSON while Redis is down, stays up, and recovers without a restart', async () => {
    const browser = new BrowserClient();
    await browser.login(stack.url);
    expect((await browser.api(`${stack.url}/auth/user`)).status).toBe(200);

    expect((await fetch(`${stack.url}/health/ready`)).status).toBe(200);

    await redis.stop();
    const notReady = await fetch(`${stack.url}/health/ready`);
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toEqual({
      error: 'not_ready',
      message: expect.stringContaining('redis'),
      checks: { redis: 'down', idp: 'ok' },
    });
    expect((await fetch(`${stack.url}/health/live`)).status).toBe(200);
    const during = await browser.api(`${stack.url}/auth/user`);
    expect(during.status).toBe(503);
    expect(await during.json()).toEqual({ error: 'session_store_unavailable', message: expect.any(String) });
    const login = await new BrowserClient().fetch(`${stack.url}/auth/login`);
    expect(login.status).toBe(503);

    await redis.resume();
    // The client reconnects in the background (back-off capped at 2 s); poll a bounded number of times.
    let status = 0;
    for (let attempt = 0; attempt < 50 && status !== 401; attempt++) {
      status = (await browser.api(`${stack.url}/auth/user`)).status;
      if (status !== 401) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // The private Redis kept nothing on disk, so the session is gone: a clean 401, not an error.
    expect(status).toBe(401);
    expect((await browser.login(stack.url)).status).toBe(302);
    expect((await browser.api(`${stack.url}/auth/user`)).status).toBe(200);
    expect((await fetch(`${stack.url}/health/ready`)).status).toBe(200);
  });
});

describe('readiness when the OpenID Provider goes away', () => {
  it('answers 503 naming the idp check, while liveness stays 200', async () => {
    const stack = await startStack({ env: { OIDC_HTTP_TIMEOUT_MS: '500' } });
    try {
      expect(await (await fetch(`${stack.url}/health/ready`)).json()).toEqual({
        status: 'ok',
        checks: { redis: 'ok', idp: 'ok' },
      });
      await stack.idp.close();
      const response = await fetch(`${stack.url}/health/ready`);
      expect(response.status).toBe(503);
      expect(await response.json()).toMatchObject({ error: 'not_ready', checks: { redis: 'ok', idp: 'down' } });
      expect((await fetch(`${stack.url}/health/live`)).status).toBe(200);
    } finally {
      await Promise.all(stack.bffs.map((bff) => bff.app.close()));
    }
  });
});

describe('boot-time dependency checks', () => {
  const base = {
    OIDC_CLIENT_ID: 'x',
    OIDC_CLIENT_SECRET: 'y',
    SESSION_SECRET: 's'.repeat(32),
  };

  it('refuses to start when Redis is unreachable, naming REDIS_URL', async () => {
    const stack = await startStack();
    try {
      const config = loadConfig({
        ...base,
        OIDC_ISSUER: stack.idp.issuer,
        REDIS_URL: 'redis://127.0.0.1:1',
        REDIS_CONNECT_TIMEOUT_MS: '500',
      });
      await expect(createBffApp(config, { logger: false })).rejects.toThrow(
        /Cannot reach Redis at 127\.0\.0\.1:1 \(REDIS_URL\)/,
      );
    } finally {
      await stack.close();
    }
  });

  it('refuses to start when the OpenID Provider is unreachable, naming OIDC_ISSUER', async () => {
    const config = loadConfig({ ...base, OIDC_ISSUER: 'http://127.0.0.1:1', OIDC_HTTP_TIMEOUT_MS: '500' });
    await expect(createBffApp(config, { logger: false })).rejects.toThrow(
      /Cannot use the OpenID Provider at http:\/\/127\.0\.0\.1:1 \(OIDC_ISSUER\): discovery failed/,
    );
  });
});
