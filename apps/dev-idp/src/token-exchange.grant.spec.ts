import * as client from 'openid-client';
import { SignJWT, createRemoteJWKSet, decodeJwt, exportJWK, generateKeyPair, jwtVerify } from 'jose';
import { completeIdpLogin } from '../../../test/support/idp-login';
import { createDevIdp, type DevIdp } from './index';

const RP = 'http://localhost:3999';
const RESOURCE = 'http://api.test';
const REPORTS = 'http://api.test/reports';
const TTL = 40;
const EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN = 'urn:ietf:params:oauth:token-type:access_token';
const BFF = { clientId: 'test-bff', clientSecret: 'test-bff-secret' };
const OTHER = { clientId: 'other-bff', clientSecret: 'other-bff-secret' };

describe('dev IdP: token exchange (RFC 8693) of the user’s access token', () => {
  let idp: DevIdp;
  let bff: client.Configuration;
  let other: client.Configuration;

  const configFor = (c: typeof BFF) =>
    client.discovery(new URL(idp.issuer), c.clientId, undefined, client.ClientSecretBasic(c.clientSecret), {
      execute: [client.allowInsecureRequests],
    });

  beforeAll(async () => {
    idp = await createDevIdp({
      accessTokenTtlSeconds: TTL,
      resource: RESOURCE,
      clients: [BFF, OTHER].map((c) => ({
        ...c,
        redirectUris: [`${RP}/auth/callback`],
        postLogoutRedirectUris: [`${RP}/`],
      })),
    });
    [bff, other] = await Promise.all([configFor(BFF), configFor(OTHER)]);
  });

  afterAll(async () => {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- beforeAll may have failed
    await idp?.close();
  });

  /** The code flow for `username` as `config`'s client: its tokens for the main audience. */
  async function login(config: client.Configuration, username: string) {
    const pkceCodeVerifier = client.randomPKCECodeVerifier();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: `${RP}/auth/callback`,
      scope: 'openid profile email offline_access',
      code_challenge: await client.calculatePKCECodeChallenge(pkceCodeVerifier),
      code_challenge_method: 'S256',
    });
    const callback = await completeIdpLogin(url.href, username, username);
    return client.authorizationCodeGrant(config, new URL(callback), { pkceCodeVerifier });
  }

  const exchange = (subjectToken: string, params: Record<string, string>, config = bff) =>
    client.genericGrantRequest(config, EXCHANGE, {
      subject_token: subjectToken,
      subject_token_type: ACCESS_TOKEN,
      ...params,
    });

  /** `<error>: <error_description>` of a refused exchange, or 'granted'. */
  const refusal = (subjectToken: string, params: Record<string, string>) =>
    exchange(subjectToken, params).then(
      () => 'granted',
      (err: unknown) => {
        const { error, error_description } = err as { error?: unknown; error_description?: unknown };
        return `${String(error)}: ${String(error_description)}`;
      },
    );

  async function verify(token: string, audience: string) {
    const jwks = createRemoteJWKSet(new URL(`${idp.issuer}/jwks`));
    return (await jwtVerify(token, jwks, { issuer: idp.issuer, audience, typ: 'at+jwt' })).payload;
  }

  /** Claims of a user access token as the provider issues them, for crafted subject tokens. */
  const userClaims = (overrides: Record<string, unknown> = {}) => {
    const now = Math.floor(Date.now() / 1000);
    return {
      iss: idp.issuer,
      aud: RESOURCE,
      sub: 'alice',
      client_id: BFF.clientId,
      scope: 'openid profile',
      jti: 'crafted',
      iat: now,
      exp: now + 60,
      ...overrides,
    };
  };

  it('trades alice’s token for one of the reports audience: same sub, new aud, the BFF as actor', async () => {
    const subject = (await login(bff, 'alice')).access_token;
    idp.resetStats();
    const tokens = await exchange(subject, { audience: REPORTS });

    const payload = await verify(tokens.access_token, REPORTS);
    expect(payload).toMatchObject({ sub: 'alice', aud: REPORTS, client_id: BFF.clientId, act: { sub: BFF.clientId } });
    expect(tokens).toMatchObject({ issued_token_type: ACCESS_TOKEN, token_type: 'bearer' });
    expect(tokens.expires_in).toBe(payload.exp! - payload.iat!);
    expect(idp.stats).toEqual({ tokenRequests: 1, grants: { [EXCHANGE]: 1 }, revocations: 0 });
  });

  it('lives the resource server’s token lifetime when the subject token lives longer', async () => {
    const subject = await idp.signJwt(userClaims({ exp: Math.floor(Date.now() / 1000) + 600 }), 'at+jwt');
    const tokens = await exchange(subject, { audience: REPORTS });
    const payload = await verify(tokens.access_token, REPORTS);
    expect(payload.exp! - payload.iat!).toBe(TTL);
    expect(tokens.expires_in).toBe(TTL);
  });

  it('never outlives the subject token, so a chain of exchanges cannot extend the user’s access', async () => {
    const exp = Math.floor(Date.now() / 1000) + 5;
    const subject = await idp.signJwt(userClaims({ exp }), 'at+jwt');
    const tokens = await exchange(subject, { audience: REPORTS });
    expect((await verify(tokens.access_token, REPORTS)).exp).toBe(exp);
    expect(tokens.expires_in).toBeLessThanOrEqual(5);
  });

  it('takes the target as an RFC 8707 resource too', async () => {
    const subject = (await login(bff, 'bob')).access_token;
    const tokens = await exchange(subject, { resource: REPORTS });
    expect(await verify(tokens.access_token, REPORTS)).toMatchObject({ sub: 'bob', aud: REPORTS });
  });

  it('never grants scopes beyond the subject token’s', async () => {
    const subject = (await login(bff, 'alice')).access_token;
    expect(String(decodeJwt(subject).scope).split(' ')).not.toContain('reports');
    const tokens = await exchange(subject, { audience: REPORTS, scope: 'openid reports' });
    expect(tokens.scope).toBe('openid');
    expect((await verify(tokens.access_token, REPORTS)).scope).toBe('openid');
  });

  it('refuses an expired subject token with invalid_grant', async () => {
    const now = Math.floor(Date.now() / 1000);
    const expired = await idp.signJwt(userClaims({ iat: now - 120, exp: now - 60 }), 'at+jwt');
    idp.resetStats();
    expect(await refusal(expired, { audience: REPORTS })).toBe('invalid_grant: subject token is expired');
    expect(idp.stats.grants).toEqual({ [EXCHANGE]: 1 });
  });

  it('refuses a subject token signed by another key, even under the provider’s kid, with invalid_grant', async () => {
    const jwks = (await (await fetch(`${idp.issuer}/jwks`)).json()) as { keys: { kid: string }[] };
    const attacker = await generateKeyPair('RS256');
    const underProviderKid = await new SignJWT(userClaims())
      .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: jwks.keys[0]!.kid })
      .sign(attacker.privateKey);
    expect(await refusal(underProviderKid, { audience: REPORTS })).toBe('invalid_grant: subject token is invalid');
    // A key carried in the token's own header is not one of the provider's either.
    const selfCertified = await new SignJWT(userClaims())
      .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', jwk: await exportJWK(attacker.publicKey) })
      .sign(attacker.privateKey);
    expect(await refusal(selfCertified, { audience: REPORTS })).toBe('invalid_grant: subject token is invalid');
  });

  it('refuses a token altered after signing with invalid_grant', async () => {
    const genuine = (await login(bff, 'bob')).access_token;
    const [header, , signature] = genuine.split('.');
    const claims = Buffer.from(JSON.stringify({ ...decodeJwt(genuine), sub: 'alice' })).toString('base64url');
    expect(await refusal(`${header!}.${claims}.${signature!}`, { audience: REPORTS })).toBe(
      'invalid_grant: subject token is invalid',
    );
  });

  it('refuses a validly signed JWT that is not an access token (an ID token) with invalid_grant', async () => {
    const idToken = (await login(bff, 'alice')).id_token!;
    expect(await refusal(idToken, { audience: REPORTS })).toBe('invalid_grant: subject token is invalid');
  });

  it('refuses a subject token that another client obtained with invalid_grant', async () => {
    const theirs = (await login(other, 'alice')).access_token;
    expect(decodeJwt(theirs).client_id).toBe(OTHER.clientId);
    expect(await refusal(theirs, { audience: REPORTS })).toBe(
      'invalid_grant: subject token was issued to another client',
    );
    // The same token is fine for the client it was issued to.
    await expect(exchange(theirs, { audience: REPORTS }, other)).resolves.toHaveProperty('access_token');
  });

  it('refuses the client’s own token (no user) as a subject with invalid_grant', async () => {
    const own = (await client.clientCredentialsGrant(bff)).access_token;
    expect(await refusal(own, { audience: REPORTS })).toBe('invalid_grant: subject token does not name a user');
  });

  it.each([
    ['an unknown audience', { audience: 'http://other.test' }],
    ['an unknown resource', { resource: 'http://other.test/reports' }],
  ])('refuses %s with invalid_target', async (_name, target) => {
    const subject = (await login(bff, 'alice')).access_token;
    expect(await refusal(subject, target)).toMatch(/^invalid_target: /);
  });

  it.each([
    ['no subject_token', { subject_token: '' }],
    ['an unsupported subject_token_type', { subject_token_type: 'urn:ietf:params:oauth:token-type:id_token' }],
    [
      'a requested_token_type other than access_token',
      { requested_token_type: 'urn:ietf:params:oauth:token-type:refresh_token' },
    ],
    ['an actor_token', { actor_token: 'x', actor_token_type: ACCESS_TOKEN }],
  ])('refuses a request with %s with invalid_request', async (_name, params) => {
    const subject = await idp.signJwt(userClaims(), 'at+jwt');
    expect(await refusal(subject, { audience: REPORTS, ...params })).toMatch(/^invalid_request: /);
  });
});
