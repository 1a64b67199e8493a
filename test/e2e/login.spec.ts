import { BrowserClient } from '../support/browser-client';
import { startStack, type Stack } from '../support/bff-stack';
import { completeIdpLogin } from '../support/idp-login';

/** Parses one Set-Cookie line into its name, value and lower-cased attributes. */
function parseSetCookie(line: string): { name: string; value: string; attributes: string[] } {
  const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
  const eq = pair.indexOf('=');
  return { name: pair.slice(0, eq), value: pair.slice(eq + 1), attributes: attributes.map((a) => a.toLowerCase()) };
}

function setCookie(response: Response, name: string) {
  return response.headers
    .getSetCookie()
    .map(parseSetCookie)
    .find((cookie) => cookie.name === name);
}

describe('login, user and logout against the real dev IdP', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: { OIDC_HTTP_TIMEOUT_MS: '1500' } });
  });
  afterAll(async () => {
    await stack.close();
  });
  afterEach(() => {
    stack.idp.setFault(null);
  });

  it('starts the code flow with PKCE S256, state and nonce, and a Lax login cookie', async () => {
    const browser = new BrowserClient();
    const response = await browser.fetch(`${stack.url}/auth/login?returnTo=%2Forders%3Fid%3D1`);
    expect(response.status).toBe(302);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const location = new URL(response.headers.get('location') ?? '');
    expect(location.origin).toBe(new URL(stack.idp.issuer).origin);
    expect(location.searchParams.get('response_type')).toBe('code');
    expect(location.searchParams.get('code_challenge_method')).toBe('S256');
    expect(location.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(location.searchParams.get('state')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(location.searchParams.get('nonce')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(location.searchParams.get('redirect_uri')).toBe(`${stack.url}/auth/callback`);
    const cookie = setCookie(response, '__Host-bff-login');
    expect(cookie?.attributes).toEqual(expect.arrayContaining(['httponly', 'secure', 'path=/', 'samesite=lax']));
    expect(cookie?.attributes.some((a) => a.startsWith('domain'))).toBe(false);
  });

  it('logs alice in, sets one HttpOnly Strict session cookie and returns to returnTo', async () => {
    const browser = new BrowserClient();
    const callback = await browser.login(stack.url, 'alice', 'alice', '/orders?id=1');
    expect(callback.status).toBe(302);
    expect(callback.headers.get('location')).toBe('/orders?id=1');
    const session = setCookie(callback, '__Host-bff');
    expect(session?.value).toMatch(/^v1\.[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{43}$/);
    expect(session?.attributes).toEqual(expect.arrayContaining(['httponly', 'secure', 'path=/', 'samesite=strict']));
    expect(setCookie(callback, '__Host-bff-login')?.attributes).toContain('max-age=0');

    const user = await browser.api(`${stack.url}/auth/user`);
    expect(user.status).toBe(200);
    expect(user.headers.get('cache-control')).toBe('no-store');
    const body = (await user.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      sub: 'alice',
      claims: { sub: 'alice', name: 'Alice Example', email: 'alice@example.com', iss: stack.idp.issuer },
    });
    expect((body.claims as Record<string, unknown>).sid).toEqual(expect.any(String));
    expect((body.claims as Record<string, unknown>).nonce).toBeUndefined();
    expect(Date.parse(body.sessionExpiresAt as string)).toBeGreaterThan(Date.now());
    expect(body.sessionExpiresAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(body.logoutUrl).toMatch(/^\/auth\/logout\?sid=[A-Za-z0-9_-]{22}$/);
    // No token of any kind in what the browser sees: no JWT, no opaque refresh token field.
    expect(JSON.stringify(body)).not.toMatch(/eyJ[A-Za-z0-9_-]+\.|token/i);
  });

  it('gives a new session id on every login (no fixation) and ends the previous one', async () => {
    const browser = new BrowserClient();
    await browser.login(stack.url);
    const first = browser.cookie('__Host-bff');
    await browser.login(stack.url);
    const second = browser.cookie('__Host-bff');
    expect(second).toBeDefined();
    expect(second?.split('.')[1]).not.toBe(first?.split('.')[1]);
    const stale = await fetch(`${stack.url}/auth/user`, {
      headers: { 'x-csrf': '1', cookie: `__Host-bff=${first ?? ''}` },
    });
    expect(stale.status).toBe(401);
  });

  it('requires X-CSRF: 1 on /auth/user, and answers 401 JSON without a session', async () => {
    const browser = new BrowserClient();
    await browser.login(stack.url);
    const noHeader = await browser.fetch(`${stack.url}/auth/user`);
    expect(noHeader.status).toBe(403);
    expect(await noHeader.json()).toEqual({ error: 'csrf_header_missing', message: expect.any(String) });
    const anonymous = await new BrowserClient().api(`${stack.url}/auth/user`);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toEqual({ error: 'session_required', message: expect.any(String) });
  });

  it('logs out only with the right sid, revokes the refresh token and goes to the end-session endpoint', async () => {
    const browser = new BrowserClient();
    await browser.login(stack.url);
    const { logoutUrl } = (await (await browser.api(`${stack.url}/auth/user`)).json()) as { logoutUrl: string };
    const cookieBefore = browser.cookie('__Host-bff') ?? '';

    const wrong = await browser.fetch(`${stack.url}/auth/logout?sid=not-the-sid`);
    expect(wrong.status).toBe(400);
    expect(await wrong.json()).toMatchObject({ error: 'invalid_logout_sid' });
    const missing = await browser.fetch(`${stack.url}/auth/logout`);
    expect(missing.status).toBe(400);
    expect((await browser.api(`${stack.url}/auth/user`)).status).toBe(200);

    const revocationsBefore = stack.idp.stats.revocations;
    const logout = await browser.fetch(`${stack.url}${logoutUrl}`);
    expect(logout.status).toBe(302);
    const endSession = new URL(logout.headers.get('location') ?? '');
    expect(endSession.origin).toBe(new URL(stack.idp.issuer).origin);
    expect(endSession.searchParams.get('id_token_hint')).toMatch(/^eyJ/);
    expect(endSession.searchParams.get('post_logout_redirect_uri')).toBe(`${stack.url}/`);
    expect(setCookie(logout, '__Host-bff')?.attributes).toContain('max-age=0');
    expect(stack.idp.stats.revocations).toBe(revocationsBefore + 1);

    expect((await browser.api(`${stack.url}/auth/user`)).status).toBe(401);
    const replayed = await fetch(`${stack.url}/auth/user`, {
      headers: { 'x-csrf': '1', cookie: `__Host-bff=${cookieBefore}` },
    });
    expect(replayed.status).toBe(401);
    const again = await fetch(`${stack.url}/auth/logout?sid=x`, {
      redirect: 'manual',
      headers: { cookie: `__Host-bff=${cookieBefore}` },
    });
    expect(again.status).toBe(302);
    expect(again.headers.get('location')).toBe('/');
  });
});

describe('login failures: 400 JSON, never a redirect, no session', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: { OIDC_HTTP_TIMEOUT_MS: '1500' } });
  });
  afterAll(async () => {
    await stack.close();
  });
  afterEach(() => {
    stack.idp.setFault(null);
  });

  /** Starts a login in `browser` and completes the IdP side, returning the callback URL without calling it. */
  async function callbackUrlFor(browser: BrowserClient, mutate?: (authorizationUrl: URL) => void): Promise<URL> {
    const start = await browser.fetch(`${stack.url}/auth/login`);
    const authorizationUrl = new URL(start.headers.get('location') ?? '');
    mutate?.(authorizationUrl);
    return new URL(await completeIdpLogin(authorizationUrl.href, 'alice', 'alice', browser.jar));
  }

  async function expectRefused(response: Response, status: number, error: string): Promise<void> {
    expect(response.status).toBe(status);
    expect(response.headers.get('location')).toBeNull();
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.json()).toEqual({ error, message: expect.any(String) });
    expect(setCookie(response, '__Host-bff')).toBeUndefined();
  }

  it.each(['https://evil.example', '//evil.example', '/\\evil.example', 'javascript:alert(1)', '/ok\r\nX: 1'])(
    'refuses returnTo=%s',
    async (returnTo) => {
      const response = await new BrowserClient().fetch(
        `${stack.url}/auth/login?returnTo=${encodeURIComponent(returnTo)}`,
      );
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: 'invalid_return_to' });
    },
  );

  it('refuses a callback whose state was forged', async () => {
    const browser = new BrowserClient();
    const url = await callbackUrlFor(browser);
    url.searchParams.set('state', 'A'.repeat(43));
    await expectRefused(await browser.fetch(url.href), 400, 'invalid_state');
  });

  it('refuses a callback without state or without the login cookie', async () => {
    const browser = new BrowserClient();
    const url = await callbackUrlFor(browser);
    const withoutState = new URL(url);
    withoutState.searchParams.delete('state');
    await expectRefused(await browser.fetch(withoutState.href), 400, 'invalid_state');
    await expectRefused(await fetch(url.href, { redirect: 'manual' }), 400, 'invalid_state');
  });

  it('refuses a replayed callback: the state is single use', async () => {
    const browser = new BrowserClient();
    const url = await callbackUrlFor(browser);
    const loginCookie = browser.cookie('__Host-bff-login') ?? '';
    expect((await browser.fetch(url.href)).status).toBe(302);
    const replay = await fetch(url.href, {
      redirect: 'manual',
      headers: { cookie: `__Host-bff-login=${loginCookie}` },
    });
    await expectRefused(replay, 400, 'invalid_state');
  });

  it("refuses another browser's state (login CSRF)", async () => {
    const victim = new BrowserClient();
    const attacker = new BrowserClient();
    await victim.fetch(`${stack.url}/auth/login`);
    const attackerUrl = await callbackUrlFor(attacker);
    await expectRefused(await victim.fetch(attackerUrl.href), 400, 'invalid_state');
  });

  it('refuses an ID token whose nonce is not the one this login sent', async () => {
    const browser = new BrowserClient();
    const url = await callbackUrlFor(browser, (authorizationUrl) => {
      authorizationUrl.searchParams.set('nonce', 'injected-nonce-of-the-attacker-aaaaaaaaaaaaa');
    });
    await expectRefused(await browser.fetch(url.href), 400, 'login_failed');
  });

  it('refuses an IdP error response (access_denied) and spends the state', async () => {
    const browser = new BrowserClient();
    const start = await browser.fetch(`${stack.url}/auth/login`);
    const state = new URL(start.headers.get('location') ?? '').searchParams.get('state') ?? '';
    const loginCookie = browser.cookie('__Host-bff-login') ?? '';
    const denied = `${stack.url}/auth/callback?error=access_denied&state=${state}&iss=${encodeURIComponent(stack.idp.issuer)}`;
    const response = await browser.fetch(denied);
    await expectRefused(response, 400, 'idp_error');
    const again = await fetch(denied, { redirect: 'manual', headers: { cookie: `__Host-bff-login=${loginCookie}` } });
    await expectRefused(again, 400, 'invalid_state');
  });

  it('answers 502 when the token endpoint fails with a server error, and 503 when it hangs', async () => {
    const browser = new BrowserClient();
    const url = await callbackUrlFor(browser);
    stack.idp.setFault('token-endpoint-500');
    await expectRefused(await browser.fetch(url.href), 502, 'idp_bad_response');

    const url2 = await callbackUrlFor(browser);
    stack.idp.setFault('token-endpoint-hang');
    await expectRefused(await browser.fetch(url2.href), 503, 'idp_unavailable');
  });
});
