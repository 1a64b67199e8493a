import * as client from 'openid-client';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { DpopKey } from '@bff/dpop';
import { createDevIdp, type DevIdp } from './index';

const RESOURCE = 'http://api.test';
const REPORTS = 'http://api.test/reports';
const EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN = 'urn:ietf:params:oauth:token-type:access_token';
const FREE = { clientId: 'free-bff', clientSecret: 'free-bff-secret' };
const BOUND = { clientId: 'bound-bff', clientSecret: 'bound-bff-secret' };

/**
 * The dev IdP's own grants (client credentials, token exchange) bind their tokens to the key of
 * the request's DPoP proof, with oidc-provider's own proof checks. FAPI 2.0 mode (DPoP with
 * server nonces) with client_secret_basic clients: how the client authenticates is beside the point.
 */
describe('dev IdP: DPoP-bound tokens from the client credentials and token exchange grants', () => {
  let idp: DevIdp;
  const configs = new Map<string, client.Configuration>();

  beforeAll(async () => {
    idp = await createDevIdp({
      profile: 'fapi2',
      fapi: { privateKeyJwt: false },
      resource: RESOURCE,
      clients: [FREE, { ...BOUND, dpopBoundAccessTokens: true }].map((c) => ({
        ...c,
        redirectUris: ['http://localhost:3997/auth/callback'],
        postLogoutRedirectUris: ['http://localhost:3997/'],
      })),
    });
    for (const c of [FREE, BOUND]) {
      configs.set(
        c.clientId,
        await client.discovery(new URL(idp.issuer), c.clientId, undefined, client.ClientSecretBasic(c.clientSecret), {
          execute: [client.allowInsecureRequests],
        }),
      );
    }
  });
  afterAll(async () => {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- beforeAll may have failed
    await idp?.close();
  });
  beforeEach(() => idp.resetStats());

  const configOf = (c: { clientId: string }) => configs.get(c.clientId)!;
  const dpopOf = async (key: DpopKey, c = FREE) => ({
    DPoP: client.getDPoPHandle(configOf(c), await key.cryptoKeyPair()),
  });

  async function claimsOf(token: string, audience: string) {
    const jwks = createRemoteJWKSet(new URL(`${idp.issuer}/jwks`));
    return (await jwtVerify(token, jwks, { issuer: idp.issuer, audience, typ: 'at+jwt' })).payload;
  }

  /** A user access token as the provider issues them (RS256, at+jwt), for `c`. */
  async function subjectToken(c = FREE): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    return idp.signJwt(
      { iss: idp.issuer, aud: RESOURCE, sub: 'alice', client_id: c.clientId, scope: 'openid', iat: now, exp: now + 60 },
      'at+jwt',
    );
  }

  const exchangeParameters = async (c = FREE) => ({
    subject_token: await subjectToken(c),
    subject_token_type: ACCESS_TOKEN,
    audience: REPORTS,
  });

  /** A token request sent by hand, with `proof` (or none) as its DPoP header. */
  async function tokenRequest(c: typeof FREE, body: Record<string, string>, proof?: string) {
    const response = await fetch(`${idp.issuer}/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${c.clientId}:${c.clientSecret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
        ...(proof === undefined ? {} : { dpop: proof }),
      },
      body: new URLSearchParams(body),
    });
    return {
      status: response.status,
      nonce: response.headers.get('dpop-nonce'),
      body: (await response.json()) as Record<string, unknown>,
    };
  }

  it('binds a client credentials token to the proof’s key after the nonce retry: cnf.jkt and token_type DPoP', async () => {
    const key = DpopKey.generate();
    const tokens = await client.clientCredentialsGrant(configOf(FREE), { resource: RESOURCE }, await dpopOf(key));
    expect(tokens.token_type).toBe('dpop');
    expect(await claimsOf(tokens.access_token, RESOURCE)).toMatchObject({ cnf: { jkt: key.thumbprint } });
    // The key's first proof carries no nonce: use_dpop_nonce, then openid-client's one retry.
    expect(idp.stats.grants).toEqual({ client_credentials: 2 });
  });

  it('binds an exchanged token to the proof’s key', async () => {
    const key = DpopKey.generate();
    const tokens = await client.genericGrantRequest(configOf(FREE), EXCHANGE, await exchangeParameters(), {
      ...(await dpopOf(key)),
    });
    expect(tokens).toMatchObject({ token_type: 'dpop', issued_token_type: ACCESS_TOKEN });
    expect(await claimsOf(tokens.access_token, REPORTS)).toMatchObject({ sub: 'alice', cnf: { jkt: key.thumbprint } });
  });

  it('issues unbound Bearer tokens to a request without a proof when the client does not require DPoP', async () => {
    const own = await client.clientCredentialsGrant(configOf(FREE), { resource: RESOURCE });
    const exchanged = await client.genericGrantRequest(configOf(FREE), EXCHANGE, await exchangeParameters());
    for (const [tokens, audience] of [
      [own, RESOURCE],
      [exchanged, REPORTS],
    ] as const) {
      expect(tokens.token_type).toBe('bearer');
      expect((await claimsOf(tokens.access_token, audience)).cnf).toBeUndefined();
    }
  });

  it.each([
    ['client_credentials', () => Promise.resolve({ grant_type: 'client_credentials', resource: RESOURCE })],
    [EXCHANGE, async () => ({ grant_type: EXCHANGE, ...(await exchangeParameters(BOUND)) })],
  ])('refuses %s without a proof for a client whose tokens must be DPoP-bound', async (_grant, body) => {
    const details: unknown[] = [];
    const onError = (_ctx: unknown, err: unknown): void => {
      details.push((err as { error_detail?: unknown }).error_detail);
    };
    idp.provider.on('grant.error', onError);
    try {
      const answer = await tokenRequest(BOUND, await body());
      expect(answer).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
      expect(details).toEqual(['DPoP proof JWT not provided']);
    } finally {
      idp.provider.off('grant.error', onError);
    }
  });

  it.each([
    ['client_credentials', () => Promise.resolve({ grant_type: 'client_credentials', resource: RESOURCE })],
    [EXCHANGE, async () => ({ grant_type: EXCHANGE, ...(await exchangeParameters()) })],
  ])(
    '%s: asks for the provider’s nonce first, refuses a proof for another URL, and accepts a jti once',
    async (_grant, body) => {
      const key = DpopKey.generate();
      const htu = `${idp.issuer}/token`;
      const noNonce = await tokenRequest(FREE, await body(), key.proof({ htm: 'POST', htu }));
      expect(noNonce).toMatchObject({ status: 400, body: { error: 'use_dpop_nonce' } });
      const nonce = noNonce.nonce!;
      expect(nonce).toEqual(expect.any(String));

      const elsewhere = key.proof({ htm: 'POST', htu: `${idp.issuer}/request`, nonce });
      expect(await tokenRequest(FREE, await body(), elsewhere)).toMatchObject({
        status: 400,
        body: { error: 'invalid_dpop_proof' },
      });

      const proof = key.proof({ htm: 'POST', htu, nonce });
      const granted = await tokenRequest(FREE, await body(), proof);
      expect(granted).toMatchObject({ status: 200, body: { token_type: 'DPoP' } });
      const replayed = await tokenRequest(FREE, await body(), proof);
      expect(replayed).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    },
  );
});
