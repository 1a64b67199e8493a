import * as client from 'openid-client';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { createDevIdp, type DevIdp } from './index';

const CLIENT_ID = 'test-bff';
const CLIENT_SECRET = 'test-bff-secret';
const RESOURCE = 'http://api.test';
const REPORTS = 'http://api.test/reports';
const TTL = 45;

describe('dev IdP: client credentials grant (the BFF’s own token)', () => {
  let idp: DevIdp;
  let config: client.Configuration;

  beforeAll(async () => {
    idp = await createDevIdp({
      accessTokenTtlSeconds: TTL,
      resource: RESOURCE,
      clients: [
        {
          clientId: CLIENT_ID,
          clientSecret: CLIENT_SECRET,
          redirectUris: ['http://localhost:3999/auth/callback'],
          postLogoutRedirectUris: ['http://localhost:3999/'],
        },
      ],
    });
    config = await client.discovery(
      new URL(idp.issuer),
      CLIENT_ID,
      undefined,
      client.ClientSecretBasic(CLIENT_SECRET),
      { execute: [client.allowInsecureRequests] },
    );
  });

  afterAll(async () => {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- beforeAll may have failed
    await idp?.close();
  });

  beforeEach(() => idp.resetStats());

  async function verify(token: string, audience: string) {
    const jwks = createRemoteJWKSet(new URL(`${idp.issuer}/jwks`));
    return (await jwtVerify(token, jwks, { issuer: idp.issuer, audience, typ: 'at+jwt' })).payload;
  }

  const refusal = (params: Record<string, string>) =>
    client.clientCredentialsGrant(config, params).then(
      () => 'granted',
      (err: unknown) => (err as { error?: unknown }).error,
    );

  it('advertises client_credentials and token exchange beside the code and refresh grants', () => {
    expect(config.serverMetadata().grant_types_supported).toEqual(
      expect.arrayContaining([
        'authorization_code',
        'refresh_token',
        'client_credentials',
        'urn:ietf:params:oauth:grant-type:token-exchange',
      ]),
    );
  });

  it('names the default reports audience after the main one', () => {
    expect(idp.resources).toEqual({ api: RESOURCE, reports: REPORTS });
  });

  it('issues an RS256 JWT for the main audience when no target is named: sub and client_id are the client', async () => {
    const tokens = await client.clientCredentialsGrant(config, { scope: 'api' });
    expect(decodeProtectedHeader(tokens.access_token).alg).toBe('RS256');
    const payload = await verify(tokens.access_token, RESOURCE);
    expect(payload).toMatchObject({ aud: RESOURCE, client_id: CLIENT_ID, sub: CLIENT_ID, scope: 'api' });
    expect(payload.exp! - payload.iat!).toBe(TTL);
    expect(tokens).toMatchObject({ token_type: 'bearer', expires_in: TTL, scope: 'api' });
    expect(tokens.refresh_token).toBeUndefined();
    expect(idp.stats).toEqual({ tokenRequests: 1, grants: { client_credentials: 1 }, revocations: 0 });
  });

  it.each([
    ['resource', { resource: REPORTS }],
    ['audience', { audience: REPORTS }],
    ['resource and audience together', { resource: REPORTS, audience: REPORTS }],
  ])('issues a token for the reports audience named by %s', async (_name, target) => {
    const tokens = await client.clientCredentialsGrant(config, { ...target, scope: 'reports' });
    const payload = await verify(tokens.access_token, REPORTS);
    expect(payload).toMatchObject({ aud: REPORTS, client_id: CLIENT_ID, sub: CLIENT_ID, scope: 'reports' });
    expect(idp.stats.grants).toEqual({ client_credentials: 1 });
  });

  it('grants only the scopes the resource server knows', async () => {
    const tokens = await client.clientCredentialsGrant(config, { resource: RESOURCE, scope: 'api reports admin' });
    expect(tokens.scope).toBe('api');
    expect((await verify(tokens.access_token, RESOURCE)).scope).toBe('api');
  });

  it.each([
    ['an unknown resource', { resource: 'http://other.test' }],
    ['an unknown audience', { audience: 'http://other.test' }],
    ['a resource and an audience of different servers', { resource: RESOURCE, audience: REPORTS }],
  ])('refuses %s with invalid_target, and counts the attempt', async (_name, target) => {
    expect(await refusal(target)).toBe('invalid_target');
    expect(idp.stats.grants).toEqual({ client_credentials: 1 });
  });

  /** A raw token request, for what openid-client will not send or does not parse as an OAuth error. */
  const postToken = (params: [string, string][], secret = CLIENT_SECRET) =>
    fetch(`${idp.issuer}/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${CLIENT_ID}:${secret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams([['grant_type', 'client_credentials'], ...params]),
    });

  it('refuses two resources at once with invalid_target: one token has one audience', async () => {
    const res = await postToken([
      ['resource', RESOURCE],
      ['resource', REPORTS],
    ]);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'invalid_target' });
  });

  it('refuses a wrong client secret with invalid_client', async () => {
    const res = await postToken([], 'not-the-secret');
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: 'invalid_client' });
  });
});
