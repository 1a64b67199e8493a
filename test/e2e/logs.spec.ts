import { parseTicket, SessionService } from '@bff/session';
import { BrowserClient } from '../support/browser-client';
import { startStack, type Stack } from '../support/bff-stack';
import { EchoUpstream } from '../support/echo-upstream';
import { completeIdpLogin } from '../support/idp-login';

describe('logs', () => {
  const lines: string[] = [];
  let stack: Stack;
  let upstream: EchoUpstream;
  beforeAll(async () => {
    upstream = await EchoUpstream.start();
    stack = await startStack({
      logs: { write: (line) => lines.push(line) },
      env: { BFF_ROUTES: JSON.stringify([{ name: 'echo', upstream: upstream.url, token: 'user' }]) },
    });
  });
  afterAll(async () => {
    await stack.close();
    await upstream.close();
  });

  it('hold no token, code, cookie or secret after a login, proxied calls, a refresh and a logout', async () => {
    const secrets = new Set<string>([stack.env.OIDC_CLIENT_SECRET!, stack.env.SESSION_SECRET!]);
    const browser = new BrowserClient();
    // The login by hand, to keep the authorization code and the login cookie.
    const start = await browser.fetch(`${stack.url}/auth/login?returnTo=%2Fprivate%3Fq%3Dsecret-query-value`);
    const state = new URL(start.headers.get('location')!).searchParams.get('state')!;
    secrets.add(browser.cookie(`__Host-bff-login-${state.slice(0, 16)}`)!);
    const callback = new URL(await completeIdpLogin(start.headers.get('location')!, 'alice', 'alice', browser.jar));
    secrets.add(callback.searchParams.get('code')!);
    expect((await browser.fetch(callback.href)).status).toBe(302);
    secrets.add(browser.cookie('__Host-bff')!);

    const sessions = stack.bffs[0]!.app.get(SessionService);
    const ticket = parseTicket(browser.cookie('__Host-bff'))!;
    const before = (await sessions.reload(ticket))!;
    for (const token of Object.values(before.record.tokens))
      if (typeof token === 'string' && token.length > 20) secrets.add(token);
    secrets.add(before.record.logoutSid);
    secrets.add(ticket.secret.toString('base64url'));

    expect((await browser.api(`${stack.url}/api/echo/a?token=query-secret`)).status).toBe(200);
    await sessions.saveTokens(before, { ...before.record.tokens, accessTokenExpiresAt: Date.now() - 1 });
    expect((await browser.api(`${stack.url}/api/echo/b`)).status).toBe(200);
    const after = (await sessions.reload(ticket))!;
    for (const token of Object.values(after.record.tokens))
      if (typeof token === 'string' && token.length > 20) secrets.add(token);
    for (const seen of upstream.seen) secrets.add(String(seen.headers.authorization).replace('Bearer ', ''));
    secrets.add('query-secret');
    secrets.add('secret-query-value');

    const { logoutUrl } = (await (await browser.api(`${stack.url}/auth/user`)).json()) as { logoutUrl: string };
    expect((await browser.fetch(`${stack.url}${logoutUrl}`)).status).toBe(302);
    expect((await browser.fetch(`${stack.url}/auth/callback?state=x&code=forged-code-value`)).status).toBe(400);
    secrets.add('forged-code-value');

    const log = lines.join('');
    // The run was logged, as JSON lines with request ids...
    expect(lines.length).toBeGreaterThan(10);
    const parsed = lines.map((line) => JSON.parse(line) as { reqId?: string; msg?: string });
    expect(parsed.some((entry) => typeof entry.reqId === 'string' && entry.msg === 'request completed')).toBe(true);
    expect(log).toContain('"route":"/auth/callback"');
    expect(log).toContain('access token refreshed');
    expect(log).toContain('login completed for sub alice');
    // ...and none of what must stay secret appears in it.
    expect(secrets.size).toBeGreaterThan(12);
    for (const secret of secrets) expect({ secret, found: log.includes(secret) }).toEqual({ secret, found: false });
  });
});
