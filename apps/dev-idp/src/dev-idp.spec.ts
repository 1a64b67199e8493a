import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as client from 'openid-client';
import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { completeIdpLogin, completeIdpLogout, IdpCookieJar } from '../../../test/support/idp-login';
import { createDevIdp, type DevIdp } from './index';

const CLIENT_ID = 'test-bff';
const CLIENT_SECRET = 'test-bff-secret';
const RP = 'http://localhost:3999';
const REDIRECT_URI = `${RP}/auth/callback`;
const RESOURCE = 'http://api.test';
const TTL = 30;

/** Receives back-channel logout tokens, like the BFF's /auth/backchannel-logout. */
function startLogoutReceiver(): Promise<{ server: Server; url: string; tokens: string[] }> {
  const tokens: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const token = new URLSearchParams(body).get('logout_token');
      if (token) tokens.push(token);
      res.writeHead(200).end();
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ server, url: `http://localhost:${String(port)}/auth/backchannel-logout`, tokens });
    }),
  );
}

describe('dev IdP (oidc-provider) driven by openid-client as a confidential client', () => {
  let idp: DevIdp;
  let config: client.Configuration;
  let receiver: Awaited<ReturnType<typeof startLogoutReceiver>>;

  beforeAll(async () => {
    receiver = await startLogoutReceiver();
    idp = await createDevIdp({
      accessTokenTtlSeconds: TTL,
      resource: RESOURCE,
      clients: [
        {
          clientId: CLIENT_ID,
          clientSecret: CLIENT_SECRET,
          redirectUris: [REDIRECT_URI],
          postLogoutRedirectUris: [`${RP}/`],
          backchannelLogoutUri: receiver.url,
        },
      ],
    });
    config = await client.discovery(
      new URL(idp.issuer),
      CLIENT_ID,
      undefined,
      client.ClientSecretBasic(CLIENT_SECRET),
      { execute: [client.allowInsecureRequests, client.enableNonRepudiationChecks] },
    );
  });

  afterAll(async () => {
    /* eslint-disable @typescript-eslint/no-unnecessary-condition -- beforeAll may have failed before setting these */
    await idp?.close();
    await new Promise((resolve) => receiver?.server.close(resolve));
    /* eslint-enable @typescript-eslint/no-unnecessary-condition */
  });

  afterEach(() => idp.setFault(null));

  /** Runs the whole code flow for one user with a fresh browser. */
  async function login(username: string, jar = new IdpCookieJar()) {
    const codeVerifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT_URI,
      scope: 'openid profile email offline_access',
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    const callback = await completeIdpLogin(url.href, username, username, jar);
    const tokens = await client.authorizationCodeGrant(config, new URL(callback), {
      pkceCodeVerifier: codeVerifier,
      expectedState: state,
      expectedNonce: nonce,
    });
    return { callback: new URL(callback), tokens, nonce, jar };
  }

  async function verifyAccessToken(token: string) {
    const jwks = createRemoteJWKSet(new URL(`${idp.issuer}/jwks`));
    return jwtVerify(token, jwks, { issuer: idp.issuer, audience: RESOURCE, typ: 'at+jwt' });
  }

  it('listens on a free port and names it in the issuer; discovery advertises RFC 9207 iss', () => {
    expect(idp.issuer).toBe(`http://localhost:${String(idp.port)}`);
    const meta = config.serverMetadata();
    expect(meta.authorization_response_iss_parameter_supported).toBe(true);
    expect(meta.revocation_endpoint).toBe(`${idp.issuer}/token/revocation`);
    expect(meta.end_session_endpoint).toBe(`${idp.issuer}/session/end`);
    expect(meta.backchannel_logout_session_supported).toBe(true);
  });

  it('logs alice in: ID token with sid and nonce, JWT access token for the resource, refresh token', async () => {
    const { callback, tokens, nonce } = await login('alice');
    expect(callback.origin + callback.pathname).toBe(REDIRECT_URI);
    expect(callback.searchParams.get('iss')).toBe(idp.issuer);

    const claims = tokens.claims()!;
    expect(claims).toMatchObject({
      iss: idp.issuer,
      aud: CLIENT_ID,
      sub: 'alice',
      nonce,
      name: 'Alice Example',
      given_name: 'Alice',
      email: 'alice@example.com',
      email_verified: true,
    });
    expect(typeof claims.sid).toBe('string');

    const { payload } = await verifyAccessToken(tokens.access_token);
    expect(payload).toMatchObject({ sub: 'alice', aud: RESOURCE, client_id: CLIENT_ID });
    expect(payload.exp! - payload.iat!).toBe(TTL);
    expect(String(payload.scope).split(' ')).toEqual(expect.arrayContaining(['openid', 'profile', 'email']));
    expect(tokens.expires_in).toBe(TTL);
    expect(tokens.refresh_token).toEqual(expect.any(String));
  });

  it('refresh rotates the refresh token, keeps the JWT audience and is counted', async () => {
    const { tokens } = await login('bob');
    idp.resetStats();
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!);

    expect(refreshed.refresh_token).toEqual(expect.any(String));
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    expect(decodeProtectedHeader(refreshed.access_token).alg).toBe('RS256');
    const { payload } = await verifyAccessToken(refreshed.access_token);
    expect(payload).toMatchObject({ sub: 'bob', aud: RESOURCE });
    expect(payload.exp! - payload.iat!).toBe(TTL);
    expect(idp.stats).toEqual({ tokenRequests: 1, grants: { refresh_token: 1 }, revocations: 0 });

    // The rotated-out token is single use: replaying it is refused.
    await expect(client.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
  });

  it('a revoked refresh token can no longer be used', async () => {
    const { tokens } = await login('alice');
    idp.resetStats();
    await client.tokenRevocation(config, tokens.refresh_token!);
    expect(idp.stats.revocations).toBe(1);
    await expect(client.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
    expect(idp.stats.grants).toEqual({ refresh_token: 1 });
  });

  it('a second login in the same browser is silent (IdP session) and gets tokens again', async () => {
    const jar = new IdpCookieJar();
    const first = await login('alice', jar);
    // The password is wrong on purpose: no form is shown, so it is never submitted.
    const codeVerifier = client.randomPKCECodeVerifier();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT_URI,
      scope: 'openid profile email offline_access',
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
    });
    const callback = await completeIdpLogin(url.href, 'alice', 'not-used', jar);
    const second = await client.authorizationCodeGrant(config, new URL(callback), { pkceCodeVerifier: codeVerifier });
    expect(second.claims()).toMatchObject({ sub: 'alice', sid: first.tokens.claims()!.sid });
    expect(second.refresh_token).toEqual(expect.any(String));
    expect((await verifyAccessToken(second.access_token)).payload.aud).toBe(RESOURCE);
  });

  it('rejects a wrong password by showing the form again, with the username escaped', async () => {
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT_URI,
      scope: 'openid',
      code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
      state: client.randomState(),
    });
    const attempt = completeIdpLogin(url.href, '<b>alice', 'nope');
    await expect(attempt).rejects.toThrow(/login rejected.*HTTP 401.*Wrong username or password/);
    await expect(attempt).rejects.toThrow(/value="&#60;b&#62;alice"/);
  });

  it('serves a login page with username and password inputs and exactly one submit button', async () => {
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT_URI,
      scope: 'openid',
      code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
    });
    const auth = await fetch(url, { redirect: 'manual' });
    expect(auth.status).toBe(303);
    const page = await fetch(new URL(auth.headers.get('location')!, idp.issuer), {
      headers: {
        cookie: auth.headers
          .getSetCookie()
          .map((c) => c.split(';')[0])
          .join('; '),
      },
    });
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(html).toMatch(/<form method="post"/);
    expect(html).toMatch(/name="username"/);
    expect(html).toMatch(/name="password" type="password"/);
    expect(html.match(/<button[^>]*type="submit"/g)).toHaveLength(1);
  });

  it('RP-initiated logout ends the IdP session, redirects back and sends a back-channel logout token', async () => {
    const { tokens, jar } = await login('alice');
    const sid = tokens.claims()!.sid;
    const endSession = client.buildEndSessionUrl(config, {
      id_token_hint: tokens.id_token!,
      post_logout_redirect_uri: `${RP}/`,
      state: 'after-logout',
    });
    receiver.tokens.length = 0;

    const final = await completeIdpLogout(endSession.href, jar);
    expect(final).toBe(`${RP}/?state=after-logout`);
    expect(receiver.tokens).toHaveLength(1);
    const logoutToken = decodeJwt(receiver.tokens[0]!);
    expect(logoutToken).toMatchObject({ iss: idp.issuer, aud: CLIENT_ID, sub: 'alice', sid });
    expect(logoutToken.events).toHaveProperty(['http://schemas.openid.net/event/backchannel-logout']);
    // The grant went with the session, so its refresh token is dead too.
    await expect(client.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
  });

  it('fault token-endpoint-500 makes the token endpoint answer 500', async () => {
    const { tokens } = await login('bob');
    idp.resetStats();
    idp.setFault('token-endpoint-500');
    const error: unknown = await client.refreshTokenGrant(config, tokens.refresh_token!).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(client.ClientError);
    expect(error).toMatchObject({ code: 'OAUTH_RESPONSE_IS_NOT_CONFORM', cause: { status: 500 } });
    expect(idp.stats).toEqual({ tokenRequests: 1, grants: {}, revocations: 0 });

    // The refresh token was never seen by the provider, so it still works once the fault is gone.
    idp.setFault(null);
    await expect(client.refreshTokenGrant(config, tokens.refresh_token!)).resolves.toHaveProperty('access_token');
  });

  it('fault token-endpoint-hang leaves the request unanswered until the client gives up', async () => {
    const { tokens } = await login('bob');
    idp.resetStats();
    idp.setFault('token-endpoint-hang');
    // openid-client's own timeout counts whole seconds; a short signal keeps the test fast.
    const previousFetch = config[client.customFetch];
    config[client.customFetch] = (url, options) => fetch(url, { ...options, signal: AbortSignal.timeout(300) });
    const started = Date.now();
    try {
      await expect(client.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({
        cause: { name: 'TimeoutError' },
      });
    } finally {
      // customFetch is an accessor on the prototype, so `delete` would not undo the assignment above;
      // the global fetch is what openid-client uses when none is set.
      config[client.customFetch] = previousFetch ?? fetch;
    }
    expect(Date.now() - started).toBeLessThan(2000);
    expect(idp.stats.tokenRequests).toBe(1);
    expect(idp.stats.grants).toEqual({});
  });
});
