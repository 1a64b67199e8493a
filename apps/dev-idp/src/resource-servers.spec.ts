import * as client from 'openid-client';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { completeIdpLogin } from '../../../test/support/idp-login';
import { createDevIdp, type DevIdp } from './index';
import { defineResourceServers, grantableScope, resolveTarget } from './resource-servers';

const API = 'http://api.test';
const REPORTS = 'http://api.test/reports';

describe('resource servers of the dev IdP', () => {
  const servers = defineResourceServers({ resource: API, reportsResource: REPORTS, accessTokenTtlSeconds: 30 });
  const errorOf = (params: Record<string, unknown>) => {
    try {
      return resolveTarget(servers, params);
    } catch (err) {
      return (err as { error?: string }).error;
    }
  };

  it('issues RS256 JWTs whose audience is the indicator, with the configured lifetime', () => {
    expect(servers.indicators).toEqual([API, REPORTS]);
    expect(servers.info(REPORTS)).toMatchObject({
      audience: REPORTS,
      accessTokenFormat: 'jwt',
      accessTokenTTL: 30,
      jwt: { sign: { alg: 'RS256' } },
    });
  });

  it('resolves the target from resource, audience, both, or neither (the primary)', () => {
    expect(resolveTarget(servers, {})).toBe(API);
    expect(resolveTarget(servers, { resource: REPORTS })).toBe(REPORTS);
    expect(resolveTarget(servers, { audience: REPORTS })).toBe(REPORTS);
    expect(resolveTarget(servers, { resource: REPORTS, audience: REPORTS })).toBe(REPORTS);
  });

  it.each([
    ['an unknown resource', { resource: 'http://api.test/other' }],
    ['an unknown audience', { audience: 'http://api.test/other' }],
    ['two resources', { resource: [API, REPORTS] }],
    ['two audiences', { audience: [API, REPORTS] }],
    ['a resource and an audience that disagree', { resource: API, audience: REPORTS }],
  ])('answers %s with invalid_target', (_name, params) => {
    expect(errorOf(params)).toBe('invalid_target');
  });

  it('grants the requested scopes the server knows, once each', () => {
    expect(grantableScope(servers.info(REPORTS), ['reports', 'api', 'openid', 'reports'])).toBe('reports openid');
    expect(grantableScope(servers.info(API), ['admin'])).toBeUndefined();
  });

  it.each([
    ['a relative resource', { resource: '/api', reportsResource: REPORTS }],
    ['a resource with a fragment', { resource: `${API}#x`, reportsResource: REPORTS }],
    ['the same indicator twice', { resource: API, reportsResource: API }],
  ])('refuses %s when the IdP is built', (_name, settings) => {
    expect(() => defineResourceServers({ ...settings, accessTokenTtlSeconds: 30 })).toThrow(/dev IdP: /);
  });
});

describe('dev IdP: a user token for another audience through the refresh token (RFC 8707)', () => {
  const RP = 'http://localhost:3999';
  let idp: DevIdp;
  let config: client.Configuration;

  beforeAll(async () => {
    idp = await createDevIdp({
      resource: API,
      reportsResource: REPORTS,
      clients: [
        {
          clientId: 'test-bff',
          clientSecret: 'test-bff-secret',
          redirectUris: [`${RP}/auth/callback`],
          postLogoutRedirectUris: [`${RP}/`],
        },
      ],
    });
    config = await client.discovery(
      new URL(idp.issuer),
      'test-bff',
      undefined,
      client.ClientSecretBasic('test-bff-secret'),
      { execute: [client.allowInsecureRequests] },
    );
  });

  afterAll(async () => {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- beforeAll may have failed
    await idp?.close();
  });

  /** A login without `resource` at /auth, as openid-client and the BFF do it. */
  async function refreshTokenOf(username: string): Promise<string> {
    const pkceCodeVerifier = client.randomPKCECodeVerifier();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: `${RP}/auth/callback`,
      scope: 'openid profile offline_access',
      code_challenge: await client.calculatePKCECodeChallenge(pkceCodeVerifier),
      code_challenge_method: 'S256',
    });
    const callback = await completeIdpLogin(url.href, username, username);
    const tokens = await client.authorizationCodeGrant(config, new URL(callback), { pkceCodeVerifier });
    expect((await audienceOf(tokens.access_token)).aud).toBe(API);
    return tokens.refresh_token!;
  }

  async function audienceOf(token: string) {
    const jwks = createRemoteJWKSet(new URL(`${idp.issuer}/jwks`));
    return (await jwtVerify(token, jwks, { issuer: idp.issuer, typ: 'at+jwt' })).payload;
  }

  it('narrows a refresh to the reports audience when it names that resource, and back without one', async () => {
    const first = await refreshTokenOf('alice');
    idp.resetStats();
    const reports = await client.refreshTokenGrant(config, first, { resource: REPORTS });
    expect(await audienceOf(reports.access_token)).toMatchObject({ sub: 'alice', aud: REPORTS, client_id: 'test-bff' });
    expect(idp.stats.grants).toEqual({ refresh_token: 1 });

    const api = await client.refreshTokenGrant(config, reports.refresh_token!);
    expect((await audienceOf(api.access_token)).aud).toBe(API);
  });

  it('refuses a refresh for a resource the IdP does not know with invalid_target', async () => {
    const refreshToken = await refreshTokenOf('bob');
    await expect(
      client.refreshTokenGrant(config, refreshToken, { resource: 'http://api.test/other' }),
    ).rejects.toMatchObject({ error: 'invalid_target' });
  });
});
