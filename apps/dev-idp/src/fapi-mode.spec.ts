import { generateKeyPairSync, webcrypto, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as client from 'openid-client';
import { decodeProtectedHeader } from 'jose';
import { completeIdpLogin } from '../../../test/support/idp-login';
import { createDevIdp, type DevIdp, type DevIdpFapiOptions } from './index';

const RP = 'http://localhost:3998';
const REDIRECT_URI = `${RP}/auth/callback`;
const CLIENT_ID = 'fapi-client';

function publicJwkOf(key: KeyObject, kid: string) {
  const { d: _d, ...rest } = key.export({ format: 'jwk' });
  return { ...rest, kid, alg: 'ES256', use: 'sig' };
}

async function privateKeyJwtOf(key: KeyObject, kid: string): Promise<client.ClientAuth> {
  const der = key.export({ format: 'der', type: 'pkcs8' });
  const cryptoKey = await webcrypto.subtle.importKey('pkcs8', der, { name: 'ECDSA', namedCurve: 'P-256' }, false, [
    'sign',
  ]);
  return client.PrivateKeyJwt({ key: cryptoKey, kid });
}

/** Serves a client's public keys, as a BFF's /auth/jwks does. */
async function serveJwks(jwks: unknown): Promise<{ server: Server; url: string }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://localhost:${String((server.address() as AddressInfo).port)}/jwks` };
}

const servers: Server[] = [];
afterAll(async () => {
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
});

async function startFapiIdp(fapi?: DevIdpFapiOptions, dpopBoundAccessTokens?: boolean) {
  const key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  // By jwks_uri: inline `jwks` work too, but not under jest, whose realms oidc-provider's
  // structuredClone of static clients crosses (its plain-object check then fails).
  const jwks = await serveJwks({ keys: [publicJwkOf(key, 'k1')] });
  servers.push(jwks.server);
  const idp = await createDevIdp({
    profile: 'fapi2',
    fapi,
    clients: [
      {
        clientId: CLIENT_ID,
        jwksUri: jwks.url,
        redirectUris: [REDIRECT_URI],
        postLogoutRedirectUris: [`${RP}/`],
        dpopBoundAccessTokens,
      },
    ],
  });
  const config = await client.discovery(
    new URL(idp.issuer),
    CLIENT_ID,
    { id_token_signed_response_alg: 'ES256' },
    await privateKeyJwtOf(key, 'k1'),
    { execute: [client.allowInsecureRequests, client.enableNonRepudiationChecks] },
  );
  return { idp, config };
}

async function authorizationParameters() {
  const codeVerifier = client.randomPKCECodeVerifier();
  const parameters = {
    redirect_uri: REDIRECT_URI,
    scope: 'openid profile offline_access',
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    state: client.randomState(),
    nonce: client.randomNonce(),
  };
  return { codeVerifier, parameters };
}

describe('the dev IdP in FAPI 2.0 mode', () => {
  let idp: DevIdp;
  let config: client.Configuration;
  beforeAll(async () => {
    ({ idp, config } = await startFapiIdp());
  });
  afterAll(async () => {
    await idp.close();
  });
  afterEach(() => {
    idp.setFault(null);
  });

  it('advertises required PAR, DPoP, private_key_jwt only, ES256 ID tokens, S256 and the iss parameter', () => {
    expect(config.serverMetadata()).toMatchObject({
      pushed_authorization_request_endpoint: `${idp.issuer}/request`,
      require_pushed_authorization_requests: true,
      dpop_signing_alg_values_supported: expect.arrayContaining(['ES256', 'EdDSA']),
      token_endpoint_auth_methods_supported: ['private_key_jwt'],
      token_endpoint_auth_signing_alg_values_supported: ['PS256', 'ES256', 'EdDSA'],
      id_token_signing_alg_values_supported: ['ES256'],
      code_challenge_methods_supported: ['S256'],
      authorization_response_iss_parameter_supported: true,
    });
  });

  it('refuses an authorization request that was not pushed', async () => {
    const { parameters } = await authorizationParameters();
    const response = await fetch(client.buildAuthorizationUrl(config, parameters), { redirect: 'manual' });
    const location = new URL(response.headers.get('location') ?? '');
    expect(location.origin + location.pathname).toBe(REDIRECT_URI);
    expect(location.searchParams.get('error')).toBe('invalid_request');
    expect(location.searchParams.get('error_description')).toMatch(/Pushed Authorization Request must be used/i);
  });

  it('logs in through PAR with client assertions on every call and signs ID tokens with ES256', async () => {
    idp.resetStats();
    const { codeVerifier, parameters } = await authorizationParameters();
    const url = await client.buildAuthorizationUrlWithPAR(config, parameters);
    expect([...url.searchParams.keys()].sort()).toEqual(['client_id', 'request_uri']);
    const callback = new URL(await completeIdpLogin(url.href, 'alice', 'alice'));
    expect(callback.searchParams.get('iss')).toBe(idp.issuer);
    const tokens = await client.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: codeVerifier,
      expectedState: parameters.state,
      expectedNonce: parameters.nonce,
    });
    expect(decodeProtectedHeader(tokens.id_token!).alg).toBe('ES256');
    expect(tokens.token_type.toLowerCase()).toBe('bearer');
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!);
    await client.tokenRevocation(config, refreshed.refresh_token!);
    expect(idp.clientStats.parRequests).toBe(1);
    expect(idp.clientStats.clientAssertions).toEqual([
      { route: 'pushed_authorization_request', kid: 'k1', alg: 'ES256' },
      { route: 'token', kid: 'k1', alg: 'ES256' },
      { route: 'token', kid: 'k1', alg: 'ES256' },
      { route: 'revocation', kid: 'k1', alg: 'ES256' },
    ]);
  });

  it('answers a pushed request with 500 or never, as a test asks', async () => {
    const { parameters } = await authorizationParameters();
    idp.resetStats();
    idp.setFault('par-endpoint-500');
    await expect(client.buildAuthorizationUrlWithPAR(config, parameters)).rejects.toMatchObject({
      cause: { status: 500 },
    });
    idp.setFault('par-endpoint-hang');
    // openid-client's own timeout counts whole seconds; a short signal keeps the test fast.
    const previousFetch = config[client.customFetch];
    config[client.customFetch] = (url, options) => fetch(url, { ...options, signal: AbortSignal.timeout(300) });
    try {
      await expect(client.buildAuthorizationUrlWithPAR(config, parameters)).rejects.toMatchObject({
        cause: { name: 'TimeoutError' },
      });
    } finally {
      config[client.customFetch] = previousFetch ?? fetch;
    }
    expect(idp.clientStats.parRequests).toBe(2);
    expect(idp.clientStats.clientAssertions).toEqual([]);
  });
});

describe('the dev IdP in FAPI 2.0 mode with one feature turned off', () => {
  it.each<[string, DevIdpFapiOptions, Record<string, unknown>]>([
    ['PAR', { par: false }, { pushed_authorization_request_endpoint: undefined }],
    ['DPoP', { dpop: false }, { dpop_signing_alg_values_supported: undefined }],
    ['private_key_jwt', { privateKeyJwt: false }, { token_endpoint_auth_methods_supported: ['client_secret_basic'] }],
    ['non-RS256 ID tokens', { idTokenSigningAlg: 'RS256' }, { id_token_signing_alg_values_supported: ['RS256'] }],
  ])('advertises no %s', async (_label, fapi, expected) => {
    const idp = await createDevIdp({ profile: 'fapi2', fapi, clients: [] });
    try {
      const metadata = (await (await fetch(`${idp.issuer}/.well-known/openid-configuration`)).json()) as Record<
        string,
        unknown
      >;
      for (const [name, value] of Object.entries(expected)) expect(metadata[name]).toEqual(value);
    } finally {
      await idp.close();
    }
  });

  it('keeps the default mode as it was: PAR offered but not required, RS256 ID tokens, client_secret_basic', async () => {
    const idp = await createDevIdp({ clients: [] });
    try {
      const metadata = (await (await fetch(`${idp.issuer}/.well-known/openid-configuration`)).json()) as Record<
        string,
        unknown
      >;
      expect(metadata.require_pushed_authorization_requests).toBeUndefined();
      expect(metadata.id_token_signing_alg_values_supported).toEqual(['RS256']);
      expect(metadata.token_endpoint_auth_methods_supported).toContain('client_secret_basic');
    } finally {
      await idp.close();
    }
  });

  it('refuses the code exchange without DPoP for a client whose access tokens must be DPoP-bound', async () => {
    const { idp, config } = await startFapiIdp({}, true);
    try {
      const { codeVerifier, parameters } = await authorizationParameters();
      const url = await client.buildAuthorizationUrlWithPAR(config, parameters);
      const callback = new URL(await completeIdpLogin(url.href, 'alice', 'alice'));
      const details: unknown[] = [];
      idp.provider.on('grant.error', (_ctx, err) => details.push((err as { error_detail?: unknown }).error_detail));
      const error: unknown = await client
        .authorizationCodeGrant(config, callback, {
          pkceCodeVerifier: codeVerifier,
          expectedState: parameters.state,
          expectedNonce: parameters.nonce,
        })
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ error: 'invalid_grant' });
      expect(details).toEqual(['DPoP proof JWT not provided']);
    } finally {
      await idp.close();
    }
  });
});
