import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createBffApp } from '@bff/bff';
import { loadConfig } from '@bff/config';
import type { DemoApi } from '@bff/demo-api';
import { parseTicket, SessionService, sessionDpopKey } from '@bff/session';
import { clientTokenKey } from '@bff/token';
import { BrowserClient } from '../support/browser-client';
import { startFapiStack, type FapiStack, startNonceDemandingDemoApi } from '../support/fapi-stack';
import { freePort } from '../support/free-port';
import { testRedisUrl } from '../support/redis';

const EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';

/** What the demo API echoes about the token a route received, and how it was presented. */
interface TokenEcho {
  sub: string;
  aud: string;
  client_id: string;
  token_type: string;
}

/** A token the dev IdP issued, with the key thumbprint it bound it to (none: a Bearer token). */
interface Issued {
  grant: string;
  jkt?: string;
}

/**
 * FAPI 2.0 per-route tokens: the dev IdP binds the tokens of its client credentials and token
 * exchange grants to the proof's key, so a `client` route and an `exchange` route go upstream as
 * `Authorization: DPoP` with proofs the demo API (nonces required) accepts; the client token's key
 * travels sealed with the token through the shared store to every instance.
 */
describe('FAPI 2.0: client and exchange routes send DPoP-bound tokens', () => {
  // The client token is shared through Redis by route name: a name of this run's own.
  const publicRoute = `public-${randomBytes(4).toString('hex')}`;
  let stack: FapiStack;
  let api: DemoApi;
  let browser: BrowserClient;
  let redis: Redis;
  const issued: Issued[] = [];

  beforeAll(async () => {
    const apiPort = await freePort();
    const apiUrl = `http://127.0.0.1:${String(apiPort)}`;
    stack = await startFapiStack({
      dpopBoundAccessTokens: true,
      env: {
        BFF_ROUTES: JSON.stringify([
          { name: 'demo', upstream: apiUrl, token: 'user' },
          {
            name: 'reports',
            upstream: `${apiUrl}/reports`,
            token: 'exchange',
            audience: 'http://localhost:4001/reports',
          },
          { name: publicRoute, upstream: `${apiUrl}/public`, token: 'client', resource: 'http://localhost:4001' },
        ]),
      },
    });
    stack.idp.provider.on('grant.success', (ctx) => {
      const { entities, params } = ctx.oidc;
      const token = entities.ClientCredentials ?? entities.AccessToken;
      issued.push({ grant: String(params?.grant_type), jkt: token?.jkt });
    });
    api = await startNonceDemandingDemoApi(stack, apiPort);
    redis = new Redis(testRedisUrl(), { lazyConnect: true });
    browser = new BrowserClient();
    expect((await browser.login(stack.url, 'alice', 'alice', '/')).status).toBe(302);
  });
  afterAll(async () => {
    redis.disconnect();
    await stack.close();
    await api.close();
  });

  async function get(base: string, path: string, client = browser): Promise<TokenEcho> {
    const response = await client.api(`${base}${path}`);
    expect({ path, status: response.status }).toEqual({ path, status: 200 });
    return (await response.json()) as TokenEcho;
  }

  const grantsOf = (grant: string) => issued.filter((token) => token.grant === grant);

  /** Proofs the demo API refused for another reason than a missing nonce (which the BFF then sends). */
  const refusedProofs = (): Record<string, number> => {
    const { nonce: _nonce, ...others } = api.dpop.stats().rejected;
    return others;
  };

  it('sends the exchange route’s token as DPoP, bound by the token exchange to the session’s key', async () => {
    const before = api.dpop.stats();
    const echo = await get(stack.url, '/api/reports/summary');
    expect(echo).toMatchObject({ sub: 'alice', aud: 'http://localhost:4001/reports', token_type: 'DPoP' });
    const session = await stack.app.get(SessionService).reload(parseTicket(browser.cookie('__Host-bff'))!);
    const sessionKey = session === undefined ? undefined : sessionDpopKey(session.record);
    expect(sessionKey).toBeDefined();
    expect(grantsOf(EXCHANGE)).toEqual([{ grant: EXCHANGE, jkt: sessionKey?.thumbprint }]);
    const after = api.dpop.stats();
    expect(after.accepted).toBeGreaterThan(before.accepted);
    expect(refusedProofs()).toEqual({});
  });

  it('sends the client route’s token as DPoP, bound by the client credentials grant to a key of its own', async () => {
    const before = api.dpop.stats();
    const echo = await get(stack.url, `/api/${publicRoute}/catalog`, new BrowserClient());
    expect(echo).toMatchObject({
      sub: stack.env.OIDC_CLIENT_ID,
      client_id: stack.env.OIDC_CLIENT_ID,
      token_type: 'DPoP',
    });
    // The new key's first proof carries no nonce: use_dpop_nonce, then one retry that is granted.
    const [granted] = grantsOf('client_credentials');
    expect(grantsOf('client_credentials')).toHaveLength(1);
    expect(granted?.jkt).toEqual(expect.any(String));
    const session = await stack.app.get(SessionService).reload(parseTicket(browser.cookie('__Host-bff'))!);
    expect(granted?.jkt).not.toBe(session === undefined ? undefined : sessionDpopKey(session.record)?.thumbprint);
    const after = api.dpop.stats();
    expect(after.accepted).toBeGreaterThan(before.accepted);
    expect(refusedProofs()).toEqual({});
  });

  it('keeps the client token’s key sealed in the shared store: a second instance presents the same token with proofs of it', async () => {
    const sealed = await redis.get(clientTokenKey(publicRoute));
    expect(sealed).toEqual(expect.any(String));
    // Sealed: neither the token's JSON nor the key's members are readable in Redis.
    for (const plain of ['accessToken', 'dpopKey', '"kty"', '"d"']) expect(sealed).not.toContain(plain);

    const port = await freePort();
    const second: NestFastifyApplication = await createBffApp(loadConfig({ ...stack.env, PORT: String(port) }), {
      logger: ['error'],
    });
    await second.listen({ port });
    try {
      const before = api.dpop.stats();
      const echo = await get(`http://localhost:${String(port)}`, `/api/${publicRoute}/catalog`, new BrowserClient());
      expect(echo.token_type).toBe('DPoP');
      // No new grant: the second instance read the token and its key, and the API accepted its proof
      // (the demo API checks the proof's key against the token's cnf.jkt).
      expect(grantsOf('client_credentials')).toHaveLength(1);
      const after = api.dpop.stats();
      expect(after.accepted).toBeGreaterThan(before.accepted);
      expect(refusedProofs()).toEqual({});
    } finally {
      await second.close();
    }
  });
});
