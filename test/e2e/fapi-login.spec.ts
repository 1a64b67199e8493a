import { LoginTransactions } from '@bff/auth';
import { parseTicket, SessionService } from '@bff/session';
import { decodeProtectedHeader } from 'jose';
import { BrowserClient } from '../support/browser-client';
import { EchoUpstream, type SeenRequest } from '../support/echo-upstream';
import { FAPI_CLIENT_ID, generateClientKey, jwkSetOf, startFapiStack, type FapiStack } from '../support/fapi-stack';
import { completeIdpLogin } from '../support/idp-login';

const API = 'http://localhost:4001';
const REPORTS = 'http://localhost:4001/reports';
const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';

/** The claims of the access token an upstream received, whatever the scheme (Bearer, or DPoP once wired). */
function claimsOf(seen: SeenRequest | undefined): Record<string, unknown> {
  const token = String(seen?.headers.authorization).replace(/^\S+ /, '');
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as Record<string, unknown>;
}

function routesOf(upstream: EchoUpstream): string {
  return JSON.stringify([
    { name: 'echo', upstream: upstream.url, token: 'user' },
    { name: 'public', upstream: `${upstream.url}/public`, token: 'client', resource: API },
    { name: 'reports', upstream: `${upstream.url}/reports`, token: 'exchange', audience: REPORTS },
  ]);
}

async function publishedKid(stack: FapiStack): Promise<string> {
  const jwks = (await (await fetch(`${stack.url}/auth/jwks`)).json()) as { keys: { kid: string }[] };
  return jwks.keys[0]!.kid;
}

describe('FAPI 2.0: the whole login and the calls after it, against the dev IdP in FAPI mode', () => {
  let upstream: EchoUpstream;
  let stack: FapiStack;
  let kid: string;
  beforeAll(async () => {
    upstream = await EchoUpstream.start();
    stack = await startFapiStack({ env: { BFF_ROUTES: routesOf(upstream), OIDC_HTTP_TIMEOUT_MS: '1000' } });
    kid = await publishedKid(stack);
  });
  afterAll(async () => {
    await stack.close();
    await upstream.close();
  });
  afterEach(() => {
    stack.idp.setFault(null);
    jest.restoreAllMocks();
  });

  it('pushes the authorization request with a client assertion and redirects with only client_id and request_uri', async () => {
    stack.idp.resetStats();
    const response = await new BrowserClient().fetch(`${stack.url}/auth/login?returnTo=%2Forders%3Fid%3D1`);
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get('location') ?? '');
    expect(location.origin + location.pathname).toBe(`${stack.idp.issuer}/auth`);
    expect([...location.searchParams.keys()].sort()).toEqual(['client_id', 'request_uri']);
    expect(location.searchParams.get('client_id')).toBe(FAPI_CLIENT_ID);
    expect(location.searchParams.get('request_uri')).toMatch(/^urn:ietf:params:oauth:request_uri:/);
    expect(stack.idp.clientStats.parRequests).toBe(1);
    expect(stack.idp.clientStats.clientAssertions).toEqual([
      { route: 'pushed_authorization_request', kid, alg: 'ES256' },
    ]);
  });

  it('logs alice in with an ES256 ID token, the code exchanged with a client assertion', async () => {
    stack.idp.resetStats();
    const browser = new BrowserClient();
    const callback = await browser.login(stack.url, 'alice', 'alice', '/orders?id=1');
    expect(callback.status).toBe(302);
    expect(callback.headers.get('location')).toBe('/orders?id=1');
    const user = await browser.api(`${stack.url}/auth/user`);
    expect(user.status).toBe(200);
    expect(await user.json()).toMatchObject({ sub: 'alice', claims: { iss: stack.idp.issuer, aud: FAPI_CLIENT_ID } });
    const session = await stack.app.get(SessionService).reload(parseTicket(browser.cookie('__Host-bff'))!);
    expect(decodeProtectedHeader(session!.record.tokens.idToken).alg).toBe('ES256');
    // OIDC_PROFILE=fapi2 turns DPoP on: the login's new key has no nonce yet, so the IdP answers the
    // first code exchange use_dpop_nonce and openid-client sends it once more with the nonce (RFC 9449 §8).
    expect(stack.idp.stats.grants).toEqual({ authorization_code: 2 });
    expect(stack.idp.clientStats.clientAssertions).toEqual([
      { route: 'pushed_authorization_request', kid, alg: 'ES256' },
      { route: 'token', kid, alg: 'ES256' },
      { route: 'token', kid, alg: 'ES256' },
    ]);
  });

  it('authenticates every later token-endpoint call with private_key_jwt: refresh, client credentials, exchange, revocation', async () => {
    const browser = new BrowserClient();
    await browser.login(stack.url);
    stack.idp.resetStats();
    upstream.seen.length = 0;

    expect((await browser.api(`${stack.url}/api/echo/first`)).status).toBe(200);
    expect(claimsOf(upstream.seen[0])).toMatchObject({ sub: 'alice', client_id: FAPI_CLIENT_ID, aud: API });

    const sessions = stack.app.get(SessionService);
    const session = (await sessions.reload(parseTicket(browser.cookie('__Host-bff'))!))!;
    await sessions.saveTokens(session, { ...session.record.tokens, accessTokenExpiresAt: Date.now() - 1 });
    expect((await browser.api(`${stack.url}/api/echo/after-refresh`)).status).toBe(200);
    expect((await new BrowserClient().api(`${stack.url}/api/public/items`)).status).toBe(200);
    expect((await browser.api(`${stack.url}/api/reports/r1`)).status).toBe(200);
    const { logoutUrl } = (await (await browser.api(`${stack.url}/auth/user`)).json()) as { logoutUrl: string };
    expect((await browser.fetch(`${stack.url}${logoutUrl}`)).status).toBe(302);

    // The client token is bound to a new key of its own, whose first proof has no nonce yet: the
    // grant is answered use_dpop_nonce once and sent again (each time with a client assertion).
    expect(stack.idp.stats.grants).toEqual({ refresh_token: 1, client_credentials: 2, [TOKEN_EXCHANGE]: 1 });
    expect(stack.idp.stats.revocations).toBe(1);
    expect(stack.idp.clientStats.clientAssertions).toEqual([
      ...Array.from({ length: 4 }, () => ({ route: 'token', kid, alg: 'ES256' })),
      { route: 'revocation', kid, alg: 'ES256' },
    ]);
    const seen = (path: string) => upstream.seen.find((request) => request.url.startsWith(path));
    expect(claimsOf(seen('/public/items'))).toMatchObject({ sub: FAPI_CLIENT_ID, client_id: FAPI_CLIENT_ID, aud: API });
    expect(claimsOf(seen('/reports/r1'))).toMatchObject({ sub: 'alice', aud: REPORTS, act: { sub: FAPI_CLIENT_ID } });
  });

  it('answers 502 JSON when the PAR endpoint fails, stores no login and sets no cookie', async () => {
    const keep = jest.spyOn(stack.app.get(LoginTransactions), 'keep');
    stack.idp.setFault('par-endpoint-500');
    const response = await new BrowserClient().fetch(`${stack.url}/auth/login`);
    expect(response.status).toBe(502);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('location')).toBeNull();
    expect(response.headers.getSetCookie()).toEqual([]);
    expect(await response.json()).toEqual({ error: 'idp_bad_response', message: expect.any(String) });
    expect(keep).not.toHaveBeenCalled();
  });

  it('answers 503 JSON when the PAR endpoint hangs past OIDC_HTTP_TIMEOUT_MS, and logs in again once it is back', async () => {
    const keep = jest.spyOn(stack.app.get(LoginTransactions), 'keep');
    stack.idp.setFault('par-endpoint-hang');
    const response = await new BrowserClient().fetch(`${stack.url}/auth/login`);
    expect(response.status).toBe(503);
    expect(response.headers.getSetCookie()).toEqual([]);
    expect(await response.json()).toEqual({ error: 'idp_unavailable', message: expect.any(String) });
    expect(keep).not.toHaveBeenCalled();

    stack.idp.setFault(null);
    expect((await new BrowserClient().login(stack.url)).status).toBe(302);
    expect(keep).toHaveBeenCalledTimes(1);
    // The timeout waited out plus a whole PAR login: jest's 5 s default is too tight on a busy machine.
  }, 20_000);

  it('refuses a login whose pushed request the IdP rejects (a key it does not know) with 502, leaving nothing behind', async () => {
    // The IdP has the BFF's keys cached (Cache-Control max-age=300): a key that was never published
    // is unknown to it, which is why a new key is published one deploy before it signs.
    const unpublished = generateClientKey('ES256', 'never-published');
    await stack.restart({ OIDC_CLIENT_PRIVATE_KEY: jwkSetOf(unpublished) });
    try {
      const keep = jest.spyOn(stack.app.get(LoginTransactions), 'keep');
      const response = await new BrowserClient().fetch(`${stack.url}/auth/login`);
      expect(response.status).toBe(502);
      expect(response.headers.getSetCookie()).toEqual([]);
      expect(await response.json()).toEqual({ error: 'idp_bad_response', message: expect.any(String) });
      expect(keep).not.toHaveBeenCalled();
    } finally {
      await stack.restart({});
    }
  });
});

describe('FAPI 2.0: a captured debug log of a whole run', () => {
  it('holds no private key material, client secret or token', async () => {
    const lines: string[] = [];
    const upstream = await EchoUpstream.start();
    const pemKey = generateClientKey('ES256');
    const jwkKeys = [generateClientKey('PS256', 'rsa-key'), generateClientKey('EdDSA', 'ed-key')];
    const stack = await startFapiStack({
      privateKey: pemKey.pem,
      logs: { write: (line) => lines.push(line) },
      // Set but unused with private_key_jwt: it must not show either.
      env: { BFF_ROUTES: routesOf(upstream), OIDC_CLIENT_SECRET: 'unused-client-secret-value-42' },
    });
    const secrets = new Set<string>(['unused-client-secret-value-42', stack.env.SESSION_SECRET!]);
    try {
      for (const key of [pemKey, ...jwkKeys]) for (const part of key.secretParts) secrets.add(part);
      const browser = new BrowserClient();
      const start = await browser.fetch(`${stack.url}/auth/login`);
      const callback = new URL(await completeIdpLogin(start.headers.get('location')!, 'alice', 'alice', browser.jar));
      secrets.add(callback.searchParams.get('code')!);
      expect((await browser.fetch(callback.href)).status).toBe(302);
      const sessions = stack.app.get(SessionService);
      const ticket = parseTicket(browser.cookie('__Host-bff'))!;
      const session = (await sessions.reload(ticket))!;
      await sessions.saveTokens(session, { ...session.record.tokens, accessTokenExpiresAt: Date.now() - 1 });
      expect((await browser.api(`${stack.url}/api/echo/x`)).status).toBe(200);
      expect((await new BrowserClient().api(`${stack.url}/api/public/y`)).status).toBe(200);
      for (const token of Object.values(session.record.tokens)) if (typeof token === 'string') secrets.add(token);
      for (const token of Object.values((await sessions.reload(ticket))!.record.tokens))
        if (typeof token === 'string') secrets.add(token);
      // The keys as a JWK Set too: a second deploy (the same signing key, now with two more), a second login.
      const sameKey = { ...pemKey, privateJwk: { ...pemKey.privateJwk, kid: await publishedKid(stack) } };
      await stack.restart({ OIDC_CLIENT_PRIVATE_KEY: jwkSetOf(sameKey, ...jwkKeys) });
      expect((await new BrowserClient().login(stack.url)).status).toBe(302);

      const log = lines.join('');
      expect(log).toContain('access token refreshed');
      expect(log).toContain('client authentication private_key_jwt, PAR on');
      expect(secrets.size).toBeGreaterThan(15);
      for (const secret of secrets) expect({ secret, found: log.includes(secret) }).toEqual({ secret, found: false });
    } finally {
      await stack.close();
      await upstream.close();
    }
  });
});
