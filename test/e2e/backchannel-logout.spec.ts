import { randomUUID } from 'node:crypto';
import { BrowserClient } from '../support/browser-client';
import { startStack, TEST_CLIENT, type Stack } from '../support/bff-stack';
import { completeIdpLogout } from '../support/idp-login';
import { openSocket } from '../support/socket-client';

const LOGOUT_EVENT = { 'http://schemas.openid.net/event/backchannel-logout': {} };

describe('OIDC back-channel logout', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ instances: 2 });
  });
  afterAll(async () => {
    await stack.close();
  });

  const post = (token: string | undefined, url = stack.url) =>
    fetch(`${url}/auth/backchannel-logout`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: token === undefined ? '' : new URLSearchParams({ logout_token: token }).toString(),
    });

  const validClaims = (extra: Record<string, unknown> = {}) => ({
    iss: stack.idp.issuer,
    aud: TEST_CLIENT.clientId,
    iat: Math.floor(Date.now() / 1000),
    jti: randomUUID(),
    events: LOGOUT_EVENT,
    ...extra,
  });

  async function sidOf(browser: BrowserClient): Promise<string> {
    const user = (await (await browser.api(`${stack.url}/auth/user`)).json()) as { claims: { sid: string } };
    return user.claims.sid;
  }

  it('ends the session everywhere and closes its sockets when the user logs out at the IdP', async () => {
    const browser = new BrowserClient();
    await browser.login(stack.url);
    const socket = await openSocket(stack.bffs[1]!.url, browser);
    expect(await socket.next()).toMatchObject({ type: 'ready' });
    const discovery = (await (await fetch(`${stack.idp.issuer}/.well-known/openid-configuration`)).json()) as {
      end_session_endpoint: string;
    };
    // The IdP posts a logout token to instance 0 before it answers the logout confirmation.
    await completeIdpLogout(discovery.end_session_endpoint, browser.jar);
    expect((await socket.closed).code).toBe(4001);
    for (const bff of stack.bffs) expect((await browser.api(`${bff.url}/auth/user`)).status).toBe(401);
  });

  it('ends only the session named by sid, and answers 200 with no body', async () => {
    const first = new BrowserClient();
    const second = new BrowserClient();
    await first.login(stack.url);
    await second.login(stack.url);
    const response = await post(
      await stack.idp.signJwt(validClaims({ sid: await sidOf(first), sub: 'alice' })),
      stack.bffs[1]!.url,
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.text()).toBe('');
    expect((await first.api(`${stack.url}/auth/user`)).status).toBe(401);
    expect((await second.api(`${stack.url}/auth/user`)).status).toBe(200);
  });

  it('ends every session of a sub when the token names no sid', async () => {
    const browsers = [new BrowserClient(), new BrowserClient()];
    for (const browser of browsers) await browser.login(stack.url, 'bob', 'bob');
    expect((await post(await stack.idp.signJwt(validClaims({ sub: 'bob' })))).status).toBe(200);
    for (const browser of browsers) expect((await browser.api(`${stack.url}/auth/user`)).status).toBe(401);
  });

  it('answers 200 with the same empty body for an unknown sid', async () => {
    const response = await post(await stack.idp.signJwt(validClaims({ sid: 'never-seen' })));
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('');
  });

  it('refuses a replayed logout token (jti is single use)', async () => {
    const token = await stack.idp.signJwt(validClaims({ sid: 'replayed-sid' }));
    expect((await post(token)).status).toBe(200);
    const replay = await post(token, stack.bffs[1]!.url);
    expect(replay.status).toBe(400);
    expect(await replay.json()).toEqual({ error: 'invalid_logout_token', message: expect.any(String) });
  });

  it.each([
    ['a missing token', () => Promise.resolve(undefined)],
    ['garbage', () => Promise.resolve('not-a-jwt')],
    ['a tampered signature', async () => (await stack.idp.signJwt(validClaims({ sid: 's' }))).slice(0, -4) + 'AAAA'],
    ['another audience', async () => stack.idp.signJwt(validClaims({ sid: 's', aud: 'someone-else' }))],
    ['another issuer', async () => stack.idp.signJwt(validClaims({ sid: 's', iss: 'http://evil.example' }))],
    [
      'a stale iat',
      async () => stack.idp.signJwt(validClaims({ sid: 's', iat: Math.floor(Date.now() / 1000) - 3600 })),
    ],
    ['no events claim', async () => stack.idp.signJwt(validClaims({ sid: 's', events: undefined }))],
    ['the wrong event', async () => stack.idp.signJwt(validClaims({ sid: 's', events: { 'urn:other': {} } }))],
    ['a nonce', async () => stack.idp.signJwt(validClaims({ sid: 's', nonce: 'n' }))],
    ['neither sid nor sub', async () => stack.idp.signJwt(validClaims())],
    ['no jti', async () => stack.idp.signJwt(validClaims({ sid: 's', jti: undefined }))],
  ])('refuses %s with 400 JSON and ends nothing', async (_label, makeToken) => {
    const browser = new BrowserClient();
    await browser.login(stack.url);
    const response = await post(await makeToken());
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: 'invalid_logout_token', message: expect.any(String) });
    expect((await browser.api(`${stack.url}/auth/user`)).status).toBe(200);
  });
});
