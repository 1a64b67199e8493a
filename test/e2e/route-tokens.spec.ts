import { bearerClaimsOf } from '../support/bearer';
import { BrowserClient } from '../support/browser-client';
import { startStack, type Stack } from '../support/bff-stack';
import { EchoUpstream, type SeenRequest } from '../support/echo-upstream';

const API = 'http://localhost:4001';
const REPORTS = 'http://localhost:4001/reports';
const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';

/** The claims of the token the upstream received with this call. */
function claimsOf(seen: SeenRequest | undefined): Record<string, unknown> {
  return bearerClaimsOf(seen?.headers.authorization);
}

/** Per-route token policies against the real dev IdP, three BFF instances sharing one Redis. */
describe('route token policies across instances', () => {
  let upstream: EchoUpstream;
  let stack: Stack;
  let browser: BrowserClient;

  beforeAll(async () => {
    upstream = await EchoUpstream.start();
    stack = await startStack({
      instances: 3,
      accessTokenTtlSeconds: 6,
      env: {
        // A hung token endpoint is given up on after a second here (the fault test below).
        OIDC_HTTP_TIMEOUT_MS: '1000',
        BFF_ROUTES: JSON.stringify([
          { name: 'public', upstream: `${upstream.url}/public`, token: 'client', resource: API },
          { name: 'mixed', upstream: `${upstream.url}/mixed`, token: 'user-or-client' },
          { name: 'reports', upstream: `${upstream.url}/reports`, token: 'exchange', audience: REPORTS },
          { name: 'elsewhere', upstream: `${upstream.url}/x`, token: 'exchange', audience: 'https://unknown.example' },
          { name: 'narrowed', upstream: `${upstream.url}/narrowed`, token: 'user', resource: REPORTS },
          { name: 'mixed-a', upstream: `${upstream.url}/a`, token: 'client', resource: API },
          { name: 'mixed-b', upstream: `${upstream.url}/b`, token: 'client', resource: API },
        ]),
      },
    });
    browser = new BrowserClient();
    await browser.login(stack.url);
  });
  afterAll(async () => {
    await stack.close();
    await upstream.close();
  });

  const grants = (type: string): number => stack.idp.stats.grants[type] ?? 0;
  const seenAt = (prefix: string) => upstream.seen.filter((seen) => seen.url.startsWith(prefix));

  it('makes one client-credentials grant for 3 instances × 60 concurrent calls without a session', async () => {
    const before = grants('client_credentials');
    const calls = stack.bffs.flatMap((bff) =>
      Array.from({ length: 60 }, (_, i) => new BrowserClient().api(`${bff.url}/api/public/items/${String(i)}`)),
    );
    const statuses = (await Promise.all(calls)).map((response) => response.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(180);
    expect(grants('client_credentials')).toBe(before + 1);
    const seen = seenAt('/public/items/');
    expect(seen).toHaveLength(180);
    expect(new Set(seen.map((call) => call.headers.authorization)).size).toBe(1);
    expect(claimsOf(seen[0])).toMatchObject({ aud: API, client_id: 'bff-test' });
  });

  it('still requires X-CSRF on a client route', async () => {
    const response = await new BrowserClient().fetch(`${stack.url}/api/public/x`);
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ error: 'csrf_header_missing' });
  });

  it("sends the user's token on a user-or-client route with a session, the client token without", async () => {
    await browser.api(`${stack.url}/api/mixed/with-session`);
    expect(claimsOf(seenAt('/mixed/with-session')[0])).toMatchObject({ sub: 'alice' });
    await new BrowserClient().api(`${stack.url}/api/mixed/without-session`);
    const anonymous = claimsOf(seenAt('/mixed/without-session')[0]);
    expect(anonymous.sub).not.toBe('alice');
    expect(anonymous).toMatchObject({ client_id: 'bff-test' });
  });

  it('makes one token exchange for 3 instances × 60 concurrent calls of one session, and one more after a refresh', async () => {
    const before = grants(TOKEN_EXCHANGE);
    const burst = async (tag: string) =>
      (
        await Promise.all(
          stack.bffs.flatMap((bff) =>
            Array.from({ length: 60 }, (_, i) => browser.api(`${bff.url}/api/reports/${tag}/${String(i)}`)),
          ),
        )
      ).map((response) => response.status);
    expect((await burst('first')).every((status) => status === 200)).toBe(true);
    expect(grants(TOKEN_EXCHANGE)).toBe(before + 1);
    const first = claimsOf(seenAt('/reports/first/')[0]);
    expect(first).toMatchObject({ sub: 'alice', aud: REPORTS });

    // The user's token lives 6 s here: past its expiry the next calls refresh it once, then exchange once more.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, Number(first.exp) * 1000 - Date.now()) + 100));
    const refreshesBefore = grants('refresh_token');
    expect((await burst('second')).every((status) => status === 200)).toBe(true);
    expect(grants('refresh_token')).toBe(refreshesBefore + 1);
    expect(grants(TOKEN_EXCHANGE)).toBe(before + 2);
    expect(claimsOf(seenAt('/reports/second/')[0])).toMatchObject({ sub: 'alice', aud: REPORTS });
  }, 30_000);

  it("narrows the user's token to a user route's resource with one refresh grant for a burst of calls", async () => {
    const before = grants('refresh_token');
    const statuses = await Promise.all(
      stack.bffs.flatMap((bff) =>
        Array.from({ length: 20 }, (_, i) => browser.api(`${bff.url}/api/narrowed/n/${String(i)}`)),
      ),
    );
    expect(statuses.every((response) => response.status === 200)).toBe(true);
    expect(grants('refresh_token')).toBe(before + 1);
    const seen = seenAt('/narrowed/n/');
    expect(new Set(seen.map((call) => call.headers.authorization)).size).toBe(1);
    expect(claimsOf(seen[0])).toMatchObject({ sub: 'alice', aud: REPORTS });
    // The refresh token was rotated by that grant; the session still refreshes and works.
    expect((await browser.api(`${stack.url}/auth/user`)).status).toBe(200);
  });

  it('answers an exchange the IdP refuses (unknown audience) with a clear 502, and keeps the session', async () => {
    const response = await browser.api(`${stack.url}/api/elsewhere/x`);
    expect(response.status).toBe(502);
    expect(await response.json()).toMatchObject({ error: 'route_token_refused' });
    expect((await browser.api(`${stack.url}/auth/user`)).status).toBe(200);
  });

  it.each([
    ['token-endpoint-500', 502, 'idp_bad_response'],
    ['token-endpoint-hang', 503, 'idp_unavailable'],
  ] as const)(
    'answers a client grant the IdP cannot serve (%s) with %i JSON, and keeps the session',
    async (fault, status, error) => {
      // A route not asked for yet, so its first call needs a grant.
      stack.idp.setFault(fault);
      try {
        const response = await browser.api(`${stack.url}/api/mixed-${fault === 'token-endpoint-500' ? 'a' : 'b'}/x`);
        expect(response.status).toBe(status);
        expect(await response.json()).toEqual({ error, message: expect.any(String) });
      } finally {
        stack.idp.setFault(null);
      }
      expect((await browser.api(`${stack.url}/auth/user`)).status).toBe(200);
    },
  );

  it('counts the grants in bff_token_grants_total by grant, route and result', async () => {
    const texts = await Promise.all(stack.bffs.map(async (bff) => (await fetch(`${bff.url}/metrics`)).text()));
    const all = texts.join('\n');
    expect(all).toMatch(/bff_token_grants_total\{grant="client_credentials",route="public",result="ok"\} 1/);
    expect(all).toMatch(/bff_token_grants_total\{grant="token_exchange",route="reports",result="ok"\} \d/);
    expect(all).toMatch(/bff_token_grants_total\{grant="token_exchange",route="elsewhere",result="refused"\} \d/);
  });

  it('refuses the exchange route without a session with 401, never a redirect', async () => {
    const response = await new BrowserClient().api(`${stack.url}/api/reports/x`);
    expect(response.status).toBe(401);
    expect(response.headers.get('location')).toBeNull();
  });
});

describe('route token policies at boot', () => {
  it('refuses to start with a route whose policy cannot work, naming it', async () => {
    await expect(
      startStack({
        redis: false,
        env: { BFF_ROUTES: JSON.stringify([{ name: 'aimless', upstream: 'http://localhost:1', token: 'exchange' }]) },
      }),
    ).rejects.toThrow(/BFF_ROUTES\[0\] \(aimless\): token "exchange" needs an "audience" or a "resource"/);
  });
});
