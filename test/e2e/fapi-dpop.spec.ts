import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createBffApp } from '@bff/bff';
import { loadConfig } from '@bff/config';
import type { DemoApi } from '@bff/demo-api';
import { parseTicket, SessionService, sessionDpopKey, type OpenedSession } from '@bff/session';
import { TokenRefresher } from '@bff/token';
import { BrowserClient } from '../support/browser-client';
import { startFapiStack, type FapiStack, startNonceDemandingDemoApi } from '../support/fapi-stack';
import { freePort } from '../support/free-port';

/** The demo API's answer to `/me`: the token's claims and how it was presented. */
interface MeAnswer {
  sub: string;
  token_type: string;
  cnf?: { jkt?: string };
}

describe('DPoP: a key per session, bound tokens sent with a fresh proof per proxied call', () => {
  let stack: FapiStack;
  let api: DemoApi;
  let browser: BrowserClient;
  const logLines: string[] = [];
  /** Every status line, header and body the browser was answered, to look for key material. */
  const seenByBrowser: string[] = [];

  async function call(base: string, path: string, init: RequestInit = {}): Promise<Response> {
    const response = await browser.api(`${base}/api/demo${path}`, init);
    const body = await response.text();
    seenByBrowser.push(JSON.stringify([...response.headers.entries()]), body);
    return new Response(body.length > 0 ? body : null, { status: response.status, headers: response.headers });
  }

  async function session(): Promise<OpenedSession> {
    const opened = await stack.app.get(SessionService).reload(parseTicket(browser.cookie('__Host-bff'))!);
    if (!opened) throw new Error('no session');
    return opened;
  }

  beforeAll(async () => {
    // The demo API is started first so that its URL can be a route; its issuer is the dev IdP's, set below.
    const apiPort = await freePort();
    stack = await startFapiStack({
      dpopBoundAccessTokens: true,
      env: {
        BFF_ROUTES: JSON.stringify([
          { name: 'demo', upstream: `http://127.0.0.1:${String(apiPort)}`, token: 'user' },
          {
            name: 'catalog',
            upstream: `http://127.0.0.1:${String(apiPort)}/public`,
            token: 'client',
            resource: 'http://localhost:4001',
          },
        ]),
      },
      logs: { write: (line) => logLines.push(line) },
    });
    api = await startNonceDemandingDemoApi(stack, apiPort);
    browser = new BrowserClient();
    const callback = await browser.login(stack.url, 'alice', 'alice', '/');
    expect(callback.status).toBe(302);
  });
  afterAll(async () => {
    await stack.close();
    await api.close();
  });

  it('binds the login to a key of its own, stored sealed in the session, and keeps the token type DPoP', async () => {
    const opened = await session();
    expect(opened.record.tokens.tokenType).toBe('DPoP');
    expect(opened.record.dpopKey).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256' });
    // The new key's first proof carries no nonce: use_dpop_nonce, and openid-client's one retry.
    expect(stack.idp.stats.grants).toEqual({ authorization_code: 2 });
  });

  it('sends the token as DPoP with a proof of the session key, answering the API’s nonce challenge with exactly one retry', async () => {
    const before = api.dpop.stats();
    const response = await call(stack.url, '/me');
    expect(response.status).toBe(200);
    const me = (await response.json()) as MeAnswer;
    expect(me.token_type).toBe('DPoP');
    expect(me.cnf?.jkt).toBe(sessionDpopKey((await session()).record)?.thumbprint);
    const after = api.dpop.stats();
    expect(after.nonceChallenges - before.nonceChallenges).toBe(1);
    expect(after.accepted - before.accepted).toBe(1);
  });

  it('never presents one proof twice over many calls, and needs no more retries once it has the nonce', async () => {
    const before = api.dpop.stats();
    const statuses = [];
    for (let i = 0; i < 25; i += 1) statuses.push((await call(stack.url, `/me?i=${String(i)}`)).status);
    expect(new Set(statuses)).toEqual(new Set([200]));
    const after = api.dpop.stats();
    // The demo API accepts each jti once: 25 accepted proofs are 25 distinct jti.
    expect(after.accepted - before.accepted).toBe(25);
    expect(after.replayedJti).toBe(0);
    expect(after.rejected.replay).toBeUndefined();
    expect(after.nonceChallenges).toBe(before.nonceChallenges);
  });

  it('keeps the binding to the same key through a refresh', async () => {
    const refresher = stack.app.get(TokenRefresher);
    const tokenBefore = (await session()).record.tokens.accessToken;
    refresher.now = () => Date.now() + 10 * 60_000;
    try {
      const response = await call(stack.url, '/me');
      expect(response.status).toBe(200);
      expect(((await response.json()) as MeAnswer).cnf?.jkt).toBe(sessionDpopKey((await session()).record)?.thumbprint);
    } finally {
      refresher.now = Date.now;
    }
    const refreshed = await session();
    expect(refreshed.record.tokens.accessToken).not.toBe(tokenBefore);
    expect(refreshed.record.tokens.tokenType).toBe('DPoP');
    expect(stack.idp.stats.grants).toMatchObject({ refresh_token: 1 });
  });

  it('uses the same session key on a second instance sharing the store', async () => {
    const port = await freePort();
    const second: NestFastifyApplication = await createBffApp(loadConfig({ ...stack.env, PORT: String(port) }), {
      logger: ['error'],
    });
    await second.listen({ port });
    try {
      const response = await call(`http://localhost:${String(port)}`, '/me');
      expect(response.status).toBe(200);
      const me = (await response.json()) as MeAnswer;
      expect(me.token_type).toBe('DPoP');
      expect(me.cnf?.jkt).toBe(sessionDpopKey((await session()).record)?.thumbprint);
    } finally {
      await second.close();
    }
  });

  it('passes a use_dpop_nonce 401 to a call with a body without sending it twice, and the next call succeeds', async () => {
    // Two new nonces: the one the BFF remembered is no longer accepted.
    api.dpop.rotateNonce();
    api.dpop.rotateNonce();
    const before = api.dpop.stats();
    const refused = await call(stack.url, '/notify', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ message: 'hello' }),
    });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toMatch(/^DPoP .*error="use_dpop_nonce"/);
    const middle = api.dpop.stats();
    expect(middle.nonceChallenges - before.nonceChallenges).toBe(1);
    expect(middle.accepted).toBe(before.accepted);

    const accepted = await call(stack.url, '/notify', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ message: 'hello again' }),
    });
    expect(accepted.status).toBe(202);
    const after = api.dpop.stats();
    expect(after.accepted - middle.accepted).toBe(1);
    expect(after.nonceChallenges).toBe(middle.nonceChallenges);
  });

  it('sends the BFF’s client token as DPoP too: the provider bound it to the key of the grant’s proof', async () => {
    // The dev IdP's client_credentials grant binds its token to the proof's key (fapi-route-tokens.spec.ts).
    const response = await browser.api(`${stack.url}/api/catalog/catalog`);
    const body = await response.text();
    seenByBrowser.push(JSON.stringify([...response.headers.entries()]), body);
    expect(response.status).toBe(200);
    expect(JSON.parse(body)).toMatchObject({ token_type: 'DPoP' });
    expect(api.dpop.stats().rejected.bearer_scheme).toBeUndefined();
  });

  it('shows the session key’s private half in no log line, response header or body', async () => {
    const user = await browser.api(`${stack.url}/auth/user`);
    expect(user.status).toBe(200);
    seenByBrowser.push(JSON.stringify([...user.headers.entries()]), await user.text());
    const d = (await session()).record.dpopKey?.d;
    expect(d).toEqual(expect.any(String));
    expect(logLines.length).toBeGreaterThan(0);
    expect(seenByBrowser.length).toBeGreaterThan(0);
    for (const text of [...logLines, ...seenByBrowser]) expect(text).not.toContain(d);
  });
});
