import { setTimeout as delay } from 'node:timers/promises';
import type { UserInfo } from '@bff/auth';
import { BrowserClient } from '../support/browser-client';
import { startStack, type Stack } from '../support/bff-stack';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const IDLE_SECONDS = 60;

// Each suite starts a real stack (IdP, BFF instances, Redis): jest's 5 s default is tight on a busy 2-core machine.
jest.setTimeout(30_000);

describe('session status in GET /auth/user, and ?slide=false', () => {
  let stack: Stack;
  beforeAll(async () => {
    // A one-minute idle window slides at most every 6 s; without the cache every read reaches the store.
    stack = await startStack({
      env: {
        SESSION_IDLE_TIMEOUT_SECONDS: String(IDLE_SECONDS),
        SESSION_ABSOLUTE_TIMEOUT_SECONDS: '3600',
        SESSION_CACHE_MS: '0',
      },
    });
  });
  afterAll(async () => {
    await stack.close();
  });

  const user = async (browser: BrowserClient, query = ''): Promise<UserInfo> => {
    const response = await browser.api(`${stack.url}/auth/user${query}`);
    expect(response.status).toBe(200);
    return (await response.json()) as UserInfo;
  };

  it('tells the idle and absolute expiry and how the user authenticated, as the ID token said', async () => {
    const browser = new BrowserClient();
    const before = Date.now();
    await browser.login(stack.url);
    const body = await user(browser);
    expect(body.idleExpiresAt).toMatch(ISO);
    expect(body.absoluteExpiresAt).toMatch(ISO);
    expect(body.sessionExpiresAt).toBe(body.idleExpiresAt);
    expect(Date.parse(body.idleExpiresAt)).toBeGreaterThanOrEqual(before + IDLE_SECONDS * 1000 - 1000);
    expect(Date.parse(body.idleExpiresAt)).toBeLessThanOrEqual(Date.now() + IDLE_SECONDS * 1000);
    expect(Date.parse(body.absoluteExpiresAt)).toBeGreaterThanOrEqual(before + 3600_000 - 1000);
    expect(Date.parse(body.absoluteExpiresAt)).toBeLessThanOrEqual(Date.now() + 3600_000);
    // Each of acr, amr and auth_time is reported exactly when the ID token carried it.
    const { acr, amr, auth_time: authTime } = body.claims;
    expect(body.acr).toBe(typeof acr === 'string' ? acr : undefined);
    expect(body.amr).toEqual(Array.isArray(amr) ? amr : undefined);
    expect(body.authTime).toBe(typeof authTime === 'number' ? new Date(authTime * 1000).toISOString() : undefined);
    // The dev IdP puts all three in every ID token: a password login.
    expect(body).toMatchObject({ acr: 'urn:dev-idp:pwd', amr: ['pwd'] });
    expect(Date.parse(body.authTime ?? '')).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
  });

  it('answers slide=false without extending the idle expiry, and slides on an ordinary read', async () => {
    const browser = new BrowserClient();
    await browser.login(stack.url);
    const first = await user(browser, '?slide=false');
    await delay(6_200); // past a tenth of the idle window, when an ordinary read writes a new expiry
    const unslid = await user(browser, '?slide=false');
    // The same expiry, read back as "now + the store's remaining TTL" (milliseconds apart at most).
    expect(Math.abs(Date.parse(unslid.idleExpiresAt) - Date.parse(first.idleExpiresAt))).toBeLessThan(250);
    const slid = await user(browser, '?slide=true');
    expect(Date.parse(slid.idleExpiresAt)).toBeGreaterThanOrEqual(Date.parse(first.idleExpiresAt) + 6_000);
    expect(slid.absoluteExpiresAt).toBe(first.absoluteExpiresAt);
    // The slide was stored: another read without sliding sees it.
    const after = await user(browser, '?slide=false');
    expect(Math.abs(Date.parse(after.idleExpiresAt) - Date.parse(slid.idleExpiresAt))).toBeLessThan(250);
  }, 20_000);

  it('refuses any other slide value with 400 invalid_slide, after the CSRF check and before the session', async () => {
    const browser = new BrowserClient();
    await browser.login(stack.url);
    for (const query of [
      '?slide=',
      '?slide=0',
      '?slide=no',
      '?slide=FALSE',
      '?slide=false&slide=false',
      '?slide=%66alse%00',
    ]) {
      const response = await browser.api(`${stack.url}/auth/user${query}`);
      expect([query, response.status]).toEqual([query, 400]);
      expect(await response.json()).toMatchObject({ error: 'invalid_slide' });
    }
    expect((await browser.fetch(`${stack.url}/auth/user?slide=bad`)).status).toBe(403);
    const anonymous = new BrowserClient();
    expect((await anonymous.api(`${stack.url}/auth/user?slide=bad`)).status).toBe(400);
    expect((await anonymous.api(`${stack.url}/auth/user?slide=false`)).status).toBe(401);
  });
});
