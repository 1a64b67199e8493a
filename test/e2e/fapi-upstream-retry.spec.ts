import { parseTicket, SessionService, sessionDpopKey } from '@bff/session';
import { BrowserClient } from '../support/browser-client';
import { DpopUpstream } from '../support/dpop-upstream';
import { startFapiStack, type FapiStack } from '../support/fapi-stack';

/**
 * An upstream's DPoP challenges to proxied calls (libs/proxy/src/api-proxy.ts,
 * upstream-exchange.ts), end to end: the dev IdP in FAPI 2.0 mode binds the session's tokens, the
 * BFF sends them as `Authorization: DPoP` to an upstream that verifies every proof and requires
 * its nonce. One retry at most, and only when nothing was sent to the browser yet.
 */
describe('FAPI 2.0: an upstream’s DPoP challenges to proxied calls', () => {
  let stack: FapiStack;
  let upstream: DpopUpstream;
  let browser: BrowserClient;

  beforeAll(async () => {
    upstream = await DpopUpstream.start();
    stack = await startFapiStack({
      dpopBoundAccessTokens: true,
      env: { BFF_ROUTES: JSON.stringify([{ name: 'up', upstream: upstream.url, token: 'user' }]) },
    });
    browser = new BrowserClient();
    expect((await browser.login(stack.url, 'alice', 'alice', '/')).status).toBe(302);
  });
  afterAll(async () => {
    await stack.close();
    await upstream.close();
  });

  const call = (path: string, init: RequestInit = {}) => browser.api(`${stack.url}/api/up${path}`, init);
  const refreshes = () => stack.idp.stats.grants.refresh_token ?? 0;

  async function sessionKeyThumbprint(): Promise<string | undefined> {
    const session = await stack.app.get(SessionService).reload(parseTicket(browser.cookie('__Host-bff'))!);
    return session === undefined ? undefined : sessionDpopKey(session.record)?.thumbprint;
  }

  it.each(['GET', 'DELETE'])(
    'answers use_dpop_nonce to a %s without a body with one retry carrying the new nonce',
    async (method) => {
      const path = `/nonce-retry/${method}`;
      const nonce = upstream.rotateNonce();
      const response = await call(path, { method });
      expect(response.status).toBe(200);
      const [first, second, ...more] = upstream.hits(path);
      expect(more).toEqual([]);
      expect(first).toMatchObject({ status: 401, scheme: 'DPoP' });
      expect(first?.proofNonce).not.toBe(nonce);
      expect(second).toMatchObject({ status: 200, scheme: 'DPoP', proofNonce: nonce, token: first?.token });
      // A fresh proof of the session's key, never the refused one again.
      expect(second?.proof?.jkt).toBe(await sessionKeyThumbprint());
    },
  );

  it('passes the use_dpop_nonce 401 of a call with a body to the browser, and the next call carries the nonce', async () => {
    const nonce = upstream.rotateNonce();
    const send = (n: number) =>
      call('/with-body', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: `{"n":${String(n)}}`,
      });
    const refused = await send(1);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toMatch(/^DPoP error="use_dpop_nonce"/);
    expect(upstream.hits('/with-body')).toHaveLength(1);

    const accepted = await send(2);
    expect(accepted.status).toBe(200);
    const [first, second, ...more] = upstream.hits('/with-body');
    expect(more).toEqual([]);
    expect(first).toMatchObject({ status: 401, bodyBytes: 7 });
    expect(second).toMatchObject({ status: 200, bodyBytes: 7, proofNonce: nonce });
  });

  it('never retries a nonce retry: an upstream that asks again gets its 401 passed on after two hits', async () => {
    const response = await call('/always-nonce');
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/use_dpop_nonce/);
    expect(upstream.hits('/always-nonce')).toHaveLength(2);
  });

  it('renews a token refused with DPoP invalid_token and retries a GET once, the new token bound to the same key', async () => {
    const before = refreshes();
    const response = await call('/invalid-token-once/get');
    expect(response.status).toBe(200);
    const [first, second, ...more] = upstream.hits('/invalid-token-once/get');
    expect(more).toEqual([]);
    expect(first).toMatchObject({ status: 401, scheme: 'DPoP' });
    expect(second).toMatchObject({ status: 200, scheme: 'DPoP' });
    expect(second?.token).not.toBe(first?.token);
    const thumbprint = await sessionKeyThumbprint();
    expect([first?.proof?.jkt, second?.proof?.jkt]).toEqual([thumbprint, thumbprint]);
    expect(refreshes()).toBe(before + 1);
  });

  it('passes a second invalid_token on instead of looping: two hits, one renewal', async () => {
    const before = refreshes();
    const response = await call('/invalid-token');
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^DPoP error="invalid_token"/);
    expect(upstream.hits('/invalid-token')).toHaveLength(2);
    expect(refreshes()).toBe(before + 1);
  });

  it('passes the invalid_token 401 of a POST through at once: one hit, no renewal', async () => {
    const before = refreshes();
    const response = await call('/invalid-token-once/post', { method: 'POST', body: '{}' });
    expect(response.status).toBe(401);
    expect(upstream.hits('/invalid-token-once/post')).toHaveLength(1);
    expect(refreshes()).toBe(before);
  });
});
