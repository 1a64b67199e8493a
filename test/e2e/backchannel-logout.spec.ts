import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { generateKeyPair, SignJWT } from 'jose';
import { BrowserClient } from '../support/browser-client';
import { startStack, TEST_CLIENT, type Stack } from '../support/bff-stack';
import { completeIdpLogout } from '../support/idp-login';
import { openSocket } from '../support/socket-client';

const LOGOUT_EVENT = { 'http://schemas.openid.net/event/backchannel-logout': {} };
const FORM = 'application/x-www-form-urlencoded';
/** The one body of every refused logout token: it says nothing of the reason, nor of the library. */
const REFUSED = '{"error":"invalid_logout_token","message":"The logout token was refused."}';

/** A JWT with `alg: none`, which no verifier may accept. */
function unsigned(claims: Record<string, unknown>): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${encode({ alg: 'none', typ: 'logout+jwt' })}.${encode(claims)}.`;
}

describe('OIDC back-channel logout', () => {
  let stack: Stack;
  const logLines: string[] = [];
  beforeAll(async () => {
    stack = await startStack({ instances: 2, logs: { write: (line) => logLines.push(line) } });
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
    // The instance that took the logout token ends the session before it answers; the others
    // drop their cached copy when the pub/sub message arrives (the first test waits for that).
    expect((await first.api(`${stack.bffs[1]!.url}/auth/user`)).status).toBe(401);
    for (const bff of stack.bffs) expect((await second.api(`${bff.url}/auth/user`)).status).toBe(200);
    // Polled: jest's timeout bounds it, and the cache alone would end it within SESSION_CACHE_MS.
    while ((await first.api(`${stack.url}/auth/user`)).status !== 401) await delay(20);
  });

  it('ends every session of a sub when the token names no sid, and drops them from their sid index', async () => {
    const browsers = [new BrowserClient(), new BrowserClient()];
    for (const browser of browsers) await browser.login(stack.url, 'bob', 'bob');
    const sids = await Promise.all(browsers.map(sidOf));
    expect((await post(await stack.idp.signJwt(validClaims({ sub: 'bob' })))).status).toBe(200);
    for (const browser of browsers) expect((await browser.api(`${stack.url}/auth/user`)).status).toBe(401);
    // A later logout token naming one of those sids finds no session left under it.
    logLines.length = 0;
    expect((await post(await stack.idp.signJwt(validClaims({ sid: sids[0] })))).status).toBe(200);
    expect(logLines.filter((line) => line.includes('back-channel logout ended'))).toEqual([
      expect.stringContaining('back-channel logout ended 0 session(s)'),
    ]);
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
    expect(await replay.text()).toBe(REFUSED);
  });

  describe('refusals: one status and one body, whatever the reason', () => {
    /** A logged-in browser whose sid every crafted token names: a wrongly accepted token would end it. */
    const victim = new BrowserClient();
    let sid: string;
    beforeAll(async () => {
      await victim.login(stack.url);
      sid = await sidOf(victim);
    });

    const send = (body: RequestInit['body'], contentType?: string) =>
      fetch(`${stack.url}/auth/backchannel-logout`, {
        method: 'POST',
        headers: contentType === undefined ? {} : { 'content-type': contentType },
        body,
      });
    const form = (fields: [string, string][]) => send(new URLSearchParams(fields).toString(), FORM);
    const signed = (extra: Record<string, unknown>) => stack.idp.signJwt(validClaims({ sid, sub: 'alice', ...extra }));
    const now = () => Math.floor(Date.now() / 1000);

    it.each<[string, () => Promise<Response>]>([
      ['no logout_token', () => send('', FORM)],
      ['an empty logout_token', () => form([['logout_token', '']])],
      [
        'two logout_token values',
        async () => {
          const token = await signed({});
          return form([
            ['logout_token', token],
            ['logout_token', token],
          ]);
        },
      ],
      ['a token over 8192 characters', () => form([['logout_token', 'a'.repeat(8193)]])],
      ['garbage', () => form([['logout_token', 'not-a-jwt']])],
      ['an unsigned token (alg none)', async () => form([['logout_token', unsigned(validClaims({ sid }))]])],
      ['a tampered signature', async () => form([['logout_token', (await signed({})).slice(0, -4) + 'AAAA']])],
      [
        "another key's signature",
        async () => {
          const { privateKey } = await generateKeyPair('RS256');
          const token = await new SignJWT(validClaims({ sid }))
            .setProtectedHeader({ alg: 'RS256', typ: 'logout+jwt' })
            .sign(privateKey);
          return form([['logout_token', token]]);
        },
      ],
      ['another audience', async () => form([['logout_token', await signed({ aud: 'someone-else' })]])],
      ['another issuer', async () => form([['logout_token', await signed({ iss: 'http://evil.example' })]])],
      ['a stale iat', async () => form([['logout_token', await signed({ iat: now() - 3600 })]])],
      ['an iat in the future', async () => form([['logout_token', await signed({ iat: now() + 3600 })]])],
      ['an expired exp', async () => form([['logout_token', await signed({ exp: now() - 3600 })]])],
      ['no iat', async () => form([['logout_token', await signed({ iat: undefined })]])],
      ['no jti', async () => form([['logout_token', await signed({ jti: undefined })]])],
      ['no events claim', async () => form([['logout_token', await signed({ events: undefined })]])],
      ['the wrong event', async () => form([['logout_token', await signed({ events: { 'urn:other': {} } })]])],
      ['events that is not an object', async () => form([['logout_token', await signed({ events: 'logout' })]])],
      ['a nonce', async () => form([['logout_token', await signed({ nonce: 'n' })]])],
      ['neither sid nor sub', async () => form([['logout_token', await stack.idp.signJwt(validClaims())]])],
      [
        'a replayed jti',
        async () => {
          const token = await stack.idp.signJwt(validClaims({ sid: `replay-${randomUUID()}` }));
          expect((await post(token)).status).toBe(200);
          return post(token);
        },
      ],
      [
        'a valid token posted as JSON',
        async () => send(JSON.stringify({ logout_token: await signed({}) }), 'application/json'),
      ],
      [
        'a valid token posted as text/plain',
        async () => send(new URLSearchParams({ logout_token: await signed({}) }).toString(), 'text/plain'),
      ],
      [
        'a valid token posted without a content type',
        async () => send(new Blob([new URLSearchParams({ logout_token: await signed({}) }).toString()])),
      ],
      ['an XML body', () => send('<logout_token>x</logout_token>', 'application/xml')],
      ['a multipart body', () => send('--x\r\n\r\n--x--', 'multipart/form-data; boundary=x')],
    ])('refuses %s: 400, the same body byte for byte, not cached, and ends nothing', async (_label, request) => {
      const response = await request();
      expect(response.status).toBe(400);
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(await response.text()).toBe(REFUSED);
      expect((await victim.api(`${stack.url}/auth/user`)).status).toBe(200);
    });

    it('accepts a form body with a charset parameter and an upper-case media type', async () => {
      const other = new BrowserClient();
      await other.login(stack.url);
      const token = await stack.idp.signJwt(validClaims({ sid: await sidOf(other) }));
      const response = await send(
        new URLSearchParams({ logout_token: token }).toString(),
        'Application/X-WWW-Form-URLEncoded; charset=UTF-8',
      );
      expect(response.status).toBe(200);
      expect((await other.api(`${stack.url}/auth/user`)).status).toBe(401);
    });

    it('logs the reason at warn level, and never the token', async () => {
      const token = await signed({ exp: now() - 3600 });
      logLines.length = 0;
      expect((await form([['logout_token', token]])).status).toBe(400);
      const refusals = logLines
        .map((line) => JSON.parse(line) as { level: number; msg: string })
        .filter((entry) => entry.msg.includes('invalid_logout_token'));
      expect(refusals).toEqual([
        expect.objectContaining({ level: 40, msg: expect.stringMatching(/failed verification.*ERR_JWT_EXPIRED/) }),
      ]);
      const log = logLines.join('');
      for (const part of token.split('.')) expect(log).not.toContain(part);
    });
  });
});
