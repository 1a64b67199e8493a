import { bearerOf } from '../support/bearer';
import { BrowserClient } from '../support/browser-client';
import { startStack, type Stack } from '../support/bff-stack';
import { EchoUpstream } from '../support/echo-upstream';

/** An upstream 401 `invalid_token`: one forced renewal of the route's token and one retry, on GET/HEAD only. */
describe('an upstream that refuses the access token', () => {
  let upstream: EchoUpstream;
  let stack: Stack;
  let browser: BrowserClient;

  beforeAll(async () => {
    upstream = await EchoUpstream.start();
    stack = await startStack({
      env: { BFF_ROUTES: JSON.stringify([{ name: 'echo', upstream: upstream.url, token: 'user' }]) },
    });
    browser = new BrowserClient();
    await browser.login(stack.url);
  });
  afterAll(async () => {
    await stack.close();
    await upstream.close();
  });

  const hits = (path: string) => upstream.seen.filter((seen) => seen.url === path);
  const refreshes = () => stack.idp.stats.grants.refresh_token ?? 0;

  it.each(['GET', 'HEAD'])(
    'renews the token once and retries a %s: two upstream hits, the second with a new token',
    async (method) => {
      const path = `/invalid-token-once/${method}`;
      const before = refreshes();
      const response = await browser.api(`${stack.url}/api/echo${path}`, { method });
      expect(response.status).toBe(200);
      const [first, second] = hits(path);
      expect(hits(path)).toHaveLength(2);
      expect(bearerOf(second?.headers.authorization)).not.toBe(bearerOf(first?.headers.authorization));
      expect(refreshes()).toBe(before + 1);
    },
  );

  it('passes a second refusal on to the browser instead of looping: exactly two hits', async () => {
    const before = hits('/invalid-token').length;
    const response = await browser.api(`${stack.url}/api/echo/invalid-token`);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/invalid_token/);
    expect(hits('/invalid-token').length).toBe(before + 2);
  });

  it.each(['POST', 'PUT', 'DELETE'])('passes the 401 of a %s through at once: one hit, no renewal', async (method) => {
    const path = `/invalid-token-once/${method}`;
    const before = refreshes();
    const response = await browser.api(`${stack.url}/api/echo${path}`, { method, body: '{}' });
    expect(response.status).toBe(401);
    expect(hits(path)).toHaveLength(1);
    expect(refreshes()).toBe(before);
  });

  it('passes a 401 without an invalid_token challenge through unchanged', async () => {
    const response = await browser.api(`${stack.url}/api/echo/status/401`);
    expect(response.status).toBe(401);
    expect(hits('/status/401')).toHaveLength(1);
  });
});
