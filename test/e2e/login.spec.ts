import { connect, type Socket } from 'node:net';
import { calculatePKCECodeChallenge, randomNonce, randomPKCECodeVerifier } from 'openid-client';
import { LoginTransactions, OidcClient } from '@bff/auth';
import { SESSION_STORE, SessionService, type OpenedSession, type SessionStore } from '@bff/session';
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

/** Each pending login has a cookie of its own: `__Host-bff-login-<first 16 characters of its state>`. */
const LOGIN_COOKIE = /^__Host-bff-login-[A-Za-z0-9_-]{16}$/;

/** The login cookie a response sets (or clears). */
function loginSetCookie(response: Response) {
  return response.headers
    .getSetCookie()
    .map(parseSetCookie)
    .find((cookie) => LOGIN_COOKIE.test(cookie.name));
}

/** `name=value` of the pending login cookie a browser holds, for requests made by hand. */
function loginCookieOf(browser: BrowserClient): string {
  const pair = browser
    .cookieHeader()
    .split('; ')
    .find((part) => LOGIN_COOKIE.test(part.slice(0, part.indexOf('='))));
  if (!pair) throw new Error('the browser holds no login cookie');
  return pair;
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
    const cookie = loginSetCookie(response);
    expect(cookie?.name).toBe(`__Host-bff-login-${location.searchParams.get('state')!.slice(0, 16)}`);
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
    expect(loginSetCookie(callback)?.attributes).toContain('max-age=0');

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

  it.each([
    ['Sec-Fetch-Site: cross-site', { 'sec-fetch-site': 'cross-site' }],
    ['Sec-Fetch-Site: same-site', { 'sec-fetch-site': 'same-site' }],
    ['Sec-Fetch-Site sent twice', { 'sec-fetch-site': 'same-origin, same-origin' }],
    ['a foreign Origin', { origin: 'https://evil.example' }],
    ['Origin: null', { origin: 'null' }],
    ['its own Origin from a cross-site fetch', { 'sec-fetch-site': 'cross-site', origin: 'OWN' }],
  ])('refuses /auth/user with X-CSRF but %s: 403 cross_site_request', async (_label, extra) => {
    const browser = new BrowserClient();
    await browser.login(stack.url);
    const headers = Object.fromEntries(
      Object.entries(extra).map(([name, value]) => [name, value === 'OWN' ? new URL(stack.url).origin : value]),
    );
    const response = await browser.api(`${stack.url}/auth/user`, { headers });
    expect(response.status).toBe(403);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.json()).toEqual({ error: 'cross_site_request', message: expect.any(String) });
  });

  it('answers /auth/user from its own origin, same-origin or typed by the user (Sec-Fetch-Site: none)', async () => {
    const browser = new BrowserClient();
    await browser.login(stack.url);
    const own = { origin: new URL(stack.url).origin, 'sec-fetch-site': 'same-origin' };
    expect((await browser.api(`${stack.url}/auth/user`, { headers: own })).status).toBe(200);
    expect((await browser.api(`${stack.url}/auth/user`, { headers: { 'sec-fetch-site': 'SAME-ORIGIN' } })).status).toBe(
      200,
    );
    expect((await browser.api(`${stack.url}/auth/user`, { headers: { 'sec-fetch-site': 'none' } })).status).toBe(200);
    // The anti-forgery header still comes first.
    const noCsrf = await browser.fetch(`${stack.url}/auth/user`, { headers: own });
    expect(noCsrf.status).toBe(403);
    expect(await noCsrf.json()).toMatchObject({ error: 'csrf_header_missing' });
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

  async function expectRefused(response: Response, status: number, error: string, stateGiven = true): Promise<void> {
    expect(response.status).toBe(status);
    expect(response.headers.get('location')).toBeNull();
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.json()).toEqual({ error, message: expect.any(String) });
    expect(setCookie(response, '__Host-bff')).toBeUndefined();
    // The login cookie the state names is spent on failures too, so a retry starts clean; without
    // a state there is no cookie to name, and the browser's other pending logins keep theirs.
    if (stateGiven)
      expect(loginSetCookie(response)).toMatchObject({ value: '', attributes: expect.arrayContaining(['max-age=0']) });
    else expect(loginSetCookie(response)).toBeUndefined();
  }

  it.each([
    ['an absolute URL', 'https://evil.example'],
    ['a network-path reference', '//evil.example'],
    ['a slash and a backslash', '/\\evil.example'],
    ['a backslash inside the path', '/a\\b'],
    ['a scheme', 'javascript:alert(1)'],
    ['a CRLF', '/ok\r\nX: 1'],
    ['U+3002 ideographic full stop', '/\u3002evil.com'],
    ['U+FF0E fullwidth full stop', '/\uff0eevil.com'],
    ['U+2028 line separator', '/a\u2028b'],
    ['U+2029 paragraph separator', '/a\u2029b'],
    ['U+0085 next line', '/a\u0085b'],
    ['U+00A0 no-break space', '/a\u00a0b'],
    ['U+200B zero-width space', '/a\u200bb'],
    ['U+FEFF byte order mark', '/\ufeffa'],
    ['an encoded double slash', '/%2F%2Fevil.example'],
  ])('refuses a returnTo with %s', async (_label, returnTo) => {
    const response = await new BrowserClient().fetch(
      `${stack.url}/auth/login?returnTo=${encodeURIComponent(returnTo)}`,
    );
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'invalid_return_to' });
  });

  it('refuses /auth/login?returnTo=/%E3%80%82evil.com with 400 JSON, before any login starts', async () => {
    const response = await new BrowserClient().fetch(`${stack.url}/auth/login?returnTo=/%E3%80%82evil.com`);
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await response.json()).toEqual({ error: 'invalid_return_to', message: expect.any(String) });
    expect(response.headers.getSetCookie()).toEqual([]);
  });

  it('refuses a callback whose stored returnTo cannot be a Location, before the code is spent or a session exists', async () => {
    const app = stack.bffs[0]!.app;
    const browser = new BrowserClient();
    // A transaction as an older version might have stored it: its returnTo passed the rule of the day.
    const codeVerifier = randomPKCECodeVerifier();
    const nonce = randomNonce();
    const { state, cookieValue } = await app
      .get(LoginTransactions)
      .begin({ nonce, codeVerifier, returnTo: '/\u3002evil.com', createdAt: Date.now() });
    const authorizationUrl = app
      .get(OidcClient)
      .buildAuthorizationUrl({ state, nonce, codeChallenge: await calculatePKCECodeChallenge(codeVerifier) });
    const callbackUrl = await completeIdpLogin(authorizationUrl.href, 'alice', 'alice', browser.jar);
    const tokenRequestsBefore = stack.idp.stats.tokenRequests;

    // The single login cookie of versions before parallel logins still finishes its login (rolling deploys).
    const response = await browser.fetch(callbackUrl, { headers: { cookie: `__Host-bff-login=${cookieValue}` } });
    expect(setCookie(response, '__Host-bff-login')?.attributes).toContain('max-age=0');
    await expectRefused(response, 400, 'invalid_return_to', false);
    expect(stack.idp.stats.tokenRequests).toBe(tokenRequestsBefore);

    // The same IdP session (same sid) logs in again cleanly: the only session it has is that one.
    expect((await browser.login(stack.url)).status).toBe(302);
    const user = (await (await browser.api(`${stack.url}/auth/user`)).json()) as { claims: { sid: string } };
    const ids = await app.get<SessionStore>(SESSION_STORE).idsBySid(user.claims.sid);
    expect(ids).toHaveLength(1);
    expect(browser.cookie('__Host-bff')?.split('.')[1]).toBe(ids[0]);
  });

  it('ends the new session when the callback response never reaches the browser', async () => {
    const app = stack.bffs[0]!.app;
    const store = app.get<SessionStore>(SESSION_STORE);
    const browser = new BrowserClient();
    await browser.login(stack.url);
    const kept = browser.cookie('__Host-bff')!.split('.')[1]!;
    const { claims } = (await (await browser.api(`${stack.url}/auth/user`)).json()) as { claims: { sid: string } };
    const callbackUrl = new URL(await callbackUrlFor(browser));

    // Hold the callback between the code exchange and the session, long enough for the browser to go away.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let exchanged!: () => void;
    const exchangedOnce = new Promise<void>((resolve) => (exchanged = resolve));
    const oidcClient = app.get(OidcClient);
    const exchange = oidcClient.exchangeCode.bind(oidcClient);
    jest.spyOn(oidcClient, 'exchangeCode').mockImplementation(async (...args) => {
      const tokens = await exchange(...args);
      exchanged();
      await held;
      return tokens;
    });
    const sessions = app.get(SessionService);
    const end = sessions.end.bind(sessions);
    let ended!: (session: OpenedSession) => void;
    const endedOnce = new Promise<OpenedSession>((resolve) => (ended = resolve));
    jest.spyOn(sessions, 'end').mockImplementation(async (session) => {
      await end(session);
      ended(session);
    });

    try {
      const server = app.getHttpServer();
      const accepted: Socket[] = [];
      const onConnection = (socket: Socket) => accepted.push(socket);
      server.on('connection', onConnection);
      const client = connect(Number(callbackUrl.port), callbackUrl.hostname);
      await new Promise((resolve) => client.once('connect', resolve));
      client.write(
        `GET ${callbackUrl.pathname}${callbackUrl.search} HTTP/1.1\r\nHost: ${callbackUrl.host}\r\n` +
          `Cookie: ${loginCookieOf(browser)}\r\n\r\n`,
      );
      await exchangedOnce;
      server.off('connection', onConnection);
      const serverSide = accepted.find((socket) => socket.remotePort === client.localPort)!;
      const serverSideClosed = new Promise((resolve) => serverSide.once('close', resolve));
      // A reset, not a FIN: Node keeps a half-closed connection open to write the answer.
      client.resetAndDestroy();
      await serverSideClosed;
      release();

      const abandoned = await endedOnce;
      expect(abandoned.ticket.id).not.toBe(kept);
      expect(await store.read(abandoned.ticket.id)).toBeNull();
      expect(await store.idsBySid(claims.sid)).toEqual([kept]);
      expect((await browser.api(`${stack.url}/auth/user`)).status).toBe(200);
    } finally {
      release();
      jest.restoreAllMocks();
    }
  });

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
    await expectRefused(await browser.fetch(withoutState.href), 400, 'invalid_state', false);
    await expectRefused(await fetch(url.href, { redirect: 'manual' }), 400, 'invalid_state');
  });

  it('refuses a replayed callback: the state is single use', async () => {
    const browser = new BrowserClient();
    const url = await callbackUrlFor(browser);
    const loginCookie = loginCookieOf(browser);
    expect((await browser.fetch(url.href)).status).toBe(302);
    const replay = await fetch(url.href, { redirect: 'manual', headers: { cookie: loginCookie } });
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
    const loginCookie = loginCookieOf(browser);
    const denied = `${stack.url}/auth/callback?error=access_denied&state=${state}&iss=${encodeURIComponent(stack.idp.issuer)}`;
    const response = await browser.fetch(denied);
    await expectRefused(response, 400, 'idp_error');
    const again = await fetch(denied, { redirect: 'manual', headers: { cookie: loginCookie } });
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
