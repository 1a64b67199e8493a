import { connectRedis, createRedisClient } from '@bff/cluster';
import { BrowserClient } from '../support/browser-client';
import { startStack, type Stack } from '../support/bff-stack';
import { completeIdpLogin } from '../support/idp-login';
import { testRedisConfig, testRedisUrl } from '../support/redis';

/* A Redis database of this suite's own, so that counting a user's sessions sees only this suite's. */
const DB = 8;
const redisUrl = (): string => `${testRedisUrl().replace(/\/\d*$/, '')}/${String(DB)}`;
const LOGIN_COOKIE = '__Host-bff-login-';

/** The login cookies a browser holds. */
const loginCookies = (browser: BrowserClient): string[] =>
  browser
    .cookieHeader()
    .split('; ')
    .filter((part) => part.startsWith(LOGIN_COOKIE));

// Each suite starts a real stack (IdP, BFF instances, Redis): jest's 5 s default is tight on a busy 2-core machine.
jest.setTimeout(30_000);

describe('parallel logins in one browser', () => {
  let stack: Stack;
  beforeAll(async () => {
    const config = testRedisConfig({ url: redisUrl() });
    const redis = createRedisClient(config, 'parallel-logins-e2e');
    await connectRedis(redis, config);
    await redis.flushdb();
    await redis.quit();
    stack = await startStack({ instances: 2, env: { REDIS_URL: redisUrl() } });
  });
  afterAll(async () => {
    await stack.close();
  });

  /** Starts `count` logins in `browser` at once (tabs), then walks each through the IdP (its own IdP tab). */
  async function startLogins(browser: BrowserClient, count: number, alternate = false): Promise<URL[]> {
    const starts = await Promise.all(
      Array.from({ length: count }, (_, i) =>
        browser.fetch(`${stack.bffs[alternate ? i % 2 : 0]!.url}/auth/login?returnTo=%2Ftab${String(i)}`),
      ),
    );
    const callbacks: URL[] = [];
    for (const start of starts) {
      expect(start.status).toBe(302);
      callbacks.push(new URL(await completeIdpLogin(start.headers.get('location')!, 'bob', 'bob')));
    }
    return callbacks;
  }

  const sessionCount = async (observer: BrowserClient): Promise<number> =>
    ((await (await observer.api(`${stack.url}/auth/sessions`)).json()) as unknown[]).length;

  it('completes 8 logins started at once, each once, in any order; the last completed is the session', async () => {
    const observer = new BrowserClient();
    await observer.login(stack.url, 'bob');
    const before = await sessionCount(observer);
    const browser = new BrowserClient();
    // Half of them on each instance: one browser's pending logins live side by side in Redis.
    const callbacks = await startLogins(browser, 8, true);
    expect(loginCookies(browser)).toHaveLength(8);
    const order = [3, 0, 7, 5, 1, 6, 2, 4];
    let last = '';
    for (const index of order) {
      const response = await browser.fetch(callbacks[index]!.href);
      expect([index, response.status, response.headers.get('location')]).toEqual([index, 302, `/tab${String(index)}`]);
      last = browser.cookie('__Host-bff')!;
      expect((await browser.api(`${stack.url}/auth/user`)).status).toBe(200);
    }
    expect(loginCookies(browser)).toEqual([]);
    // Each login replaced the browser's previous session: one session is left, the last one's.
    expect(await sessionCount(observer)).toBe(before + 1);
    expect(browser.cookie('__Host-bff')).toBe(last);
    // Every state was single use: none completes again, on either instance.
    for (const callback of callbacks.slice(0, 2))
      for (const bff of stack.bffs) {
        const replay = await browser.fetch(callback.href.replace(stack.url, bff.url));
        expect(replay.status).toBe(400);
        expect(await replay.json()).toMatchObject({ error: 'invalid_state' });
      }
    expect(browser.cookie('__Host-bff')).toBe(last);
    expect((await browser.api(`${stack.url}/auth/user`)).status).toBe(200);
  });

  it('drops the oldest of 9 pending logins cleanly: its callback is a JSON 400, the other 8 complete', async () => {
    const browser = new BrowserClient();
    const first = (await startLogins(browser, 1))[0]!;
    const firstCookie = loginCookies(browser)[0]!;
    const others = [...(await startLogins(browser, 7)), ...(await startLogins(browser, 1))];
    // The ninth login's answer cleared the first's cookie: the browser holds 8.
    expect(loginCookies(browser)).toHaveLength(8);
    expect(loginCookies(browser)).not.toContain(firstCookie);
    // Even with its cookie put back by hand, the dropped login's transaction is gone.
    const dropped = await browser.fetch(first.href, { headers: { cookie: firstCookie } });
    expect(dropped.status).toBe(400);
    expect(dropped.headers.get('location')).toBeNull();
    expect(dropped.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await dropped.json()).toMatchObject({ error: 'invalid_state' });
    const withoutCookie = await browser.fetch(first.href);
    expect(withoutCookie.status).toBe(400);
    for (const callback of others) expect((await browser.fetch(callback.href)).status).toBe(302);
    expect((await browser.api(`${stack.url}/auth/user`)).status).toBe(200);
  });

  it('keeps the cookie header bounded however many logins a browser starts', async () => {
    const browser = new BrowserClient();
    for (let round = 0; round < 3; round += 1) {
      // Requests sent at the same moment each see the cookies the browser had before them, so
      // they can only add their own: at most 7 kept + 7 new here.
      const starts = await Promise.all(Array.from({ length: 7 }, () => browser.fetch(`${stack.url}/auth/login`)));
      for (const start of starts) expect(start.status).toBe(302);
      expect(loginCookies(browser).length).toBeLessThanOrEqual(14);
      // The next login start sees them all and trims to the cap.
      expect((await browser.fetch(`${stack.url}/auth/login`)).status).toBe(302);
      expect(loginCookies(browser).length).toBeLessThanOrEqual(8);
    }
    // Logins started one after another are ordered exactly: the 8 newest are kept.
    for (let i = 0; i < 10; i += 1) await browser.fetch(`${stack.url}/auth/login`);
    expect(loginCookies(browser)).toHaveLength(8);
    expect(browser.cookieHeader().length).toBeLessThan(8 * 160);
  });

  it('clears a malformed login cookie of the right name, and never echoes a name it did not make', async () => {
    const response = await fetch(`${stack.url}/auth/login`, {
      redirect: 'manual',
      headers: { cookie: '__Host-bff-login-AAAAAAAAAAAAAAAA=garbage; __Host-bff-login-a b=1; __Host-bff-login-x=2' },
    });
    expect(response.status).toBe(302);
    const names = response.headers.getSetCookie().map((line) => line.slice(0, line.indexOf('=')));
    expect(names).toHaveLength(2);
    expect(names[0]).toBe('__Host-bff-login-AAAAAAAAAAAAAAAA');
    expect(response.headers.getSetCookie()[0]).toMatch(/Max-Age=0/);
    expect(names[1]).toMatch(/^__Host-bff-login-[A-Za-z0-9_-]{16}$/);
  });

  it("refuses a callback from another browser (without this browser's login cookie), which leaves the login usable", async () => {
    const browser = new BrowserClient();
    const [callback] = await startLogins(browser, 1);
    const attacker = new BrowserClient();
    await attacker.login(stack.url, 'alice');
    const response = await attacker.fetch(callback!.href.replace(stack.url, stack.bffs[1]!.url));
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'invalid_state' });
    // The attacker's own session was not touched, and the victim's browser still finishes its login.
    expect((await attacker.api(`${stack.url}/auth/user`)).status).toBe(200);
    expect((await browser.fetch(callback!.href)).status).toBe(302);
    const user = (await (await browser.api(`${stack.url}/auth/user`)).json()) as { sub: string };
    expect(user.sub).toBe('bob');
  });

  it("refuses a login cookie moved to another state's name", async () => {
    const browser = new BrowserClient();
    const [a, b] = await startLogins(browser, 2);
    const cookieOf = (callback: URL) => {
      const prefix = `__Host-bff-login-${callback.searchParams.get('state')!.slice(0, 16)}=`;
      return loginCookies(browser).find((cookie) => cookie.startsWith(prefix))!;
    };
    const [cookieA, cookieB] = [cookieOf(a!), cookieOf(b!)];
    // Cookie B's value under the name A's state looks for.
    const forA = `${cookieA.slice(0, cookieA.indexOf('='))}=${cookieB.slice(cookieB.indexOf('=') + 1)}`;
    const response = await fetch(a!.href, { redirect: 'manual', headers: { cookie: forA } });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'invalid_state' });
    expect((await browser.fetch(b!.href)).status).toBe(302);
  });
});
