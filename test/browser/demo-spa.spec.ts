import { randomUUID } from 'node:crypto';
import type { BrowserContext, Page } from 'playwright-core';
import { parseTicket, SessionService, type SessionTicket } from '@bff/session';
import type { Stack } from '../support/bff-stack';
import { step } from '../support/chromium';
import { callApi, expectText, logInThroughTheForm, sendNotification, waitForSocketState } from '../support/spa-page';
import { SESSION_COOKIE, startSpaStack, UI_TIMEOUT_MS, type SpaStack } from '../support/spa-stack';

/** Short enough that the scenario outlives a token, long enough for a login to finish within one. */
const ACCESS_TOKEN_TTL_SECONDS = 4;
const SCENARIO = 'demo SPA';
/** The whole scenario: a login, a token lifetime waited out, two tabs, a logout. */
const SCENARIO_TIMEOUT_MS = 120_000;

interface TokenSighting {
  url: string;
  where: string;
}

/** Everything the page received, kept to look for tokens in afterwards. */
class PageTraffic {
  readonly texts: { url: string; where: string; text: string }[] = [];

  watch(page: Page): void {
    page.on('response', (response) => {
      const url = response.url();
      this.texts.push({ url, where: 'headers', text: JSON.stringify(response.headers()) });
      // Redirects have no body to read; everything else is read in full.
      if (response.status() >= 300 && response.status() < 400) return;
      response.text().then(
        (text) => this.texts.push({ url, where: 'body', text }),
        () => undefined,
      );
    });
    page.on('websocket', (socket) => {
      socket.on('framereceived', ({ payload }) => {
        this.texts.push({ url: socket.url(), where: 'websocket frame', text: String(payload) });
      });
    });
  }

  sightings(secrets: string[]): TokenSighting[] {
    return this.texts
      .filter((entry) => secrets.some((secret) => entry.text.includes(secret)))
      .map(({ url, where }) => ({ url, where }));
  }
}

describe('the demo SPA in a real browser (Chromium)', () => {
  let spa: SpaStack;
  let stack: Stack;
  let context: BrowserContext;
  const traffic = new PageTraffic();
  /** Every access and refresh token the session held; ID tokens apart (see the last step). */
  const credentials = new Set<string>();
  const idTokens = new Set<string>();

  beforeAll(async () => {
    spa = await startSpaStack({ accessTokenTtlSeconds: ACCESS_TOKEN_TTL_SECONDS });
    ({ stack, context } = spa);
  }, SCENARIO_TIMEOUT_MS);

  afterAll(async () => {
    await spa.close();
  }, SCENARIO_TIMEOUT_MS);

  /** The tokens of the browser's current session, read the way the BFF reads them (for the leak check). */
  async function rememberSessionTokens(): Promise<void> {
    const cookie = (await context.cookies(stack.url)).find((c) => c.name === SESSION_COOKIE);
    if (!cookie) throw new Error('the browser holds no session cookie');
    const session = await stack.bffs[0]!.app.get(SessionService).reload(ticketOf(cookie.value));
    if (!session) throw new Error('the session cookie names no live session');
    const { accessToken, refreshToken, idToken } = session.record.tokens;
    credentials.add(accessToken);
    if (refreshToken) credentials.add(refreshToken);
    if (idToken) idTokens.add(idToken);
  }

  it(
    'logs alice in, calls the API through the proxy, refreshes the token, fans out notifications, and logs out',
    async () => {
      const run = <T>(name: string, body: () => Promise<T>) => step(context, SCENARIO, name, body);
      const tab = await context.newPage();
      traffic.watch(tab);

      await run('log in as alice through the dev IdP form', async () => {
        await logInThroughTheForm(tab, stack.url, 'alice');
      });

      await run('see her claims', async () => {
        await expectText(tab, '#claims', 'alice');
        await rememberSessionTokens();
      });

      await run('keep the session cookie out of reach of scripts', async () => {
        // A string, not a function: the server-side tsconfig has no DOM types.
        const visible = String(await tab.evaluate('document.cookie'));
        expect(visible.split('; ').some((pair) => pair.startsWith(`${SESSION_COOKIE}=`))).toBe(false);
        const jar = await context.cookies(stack.url);
        expect(jar.find((c) => c.name === SESSION_COOKIE)).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
      });

      const first = await run('call the API through the proxy', async () => callApi(tab));
      expect(first.sub).toBe('alice');
      // The default profile's tokens are not bound: the page says how the API got this one.
      await expectText(tab, '#api-token-type', 'Bearer');

      await run('receive a notification over the WebSocket', async () => {
        await waitForSocketState(tab, 'connected');
        await sendNotification(tab, `hello ${randomUUID()}`);
      });

      await run('call again past the access-token lifetime and see a refreshed token', async () => {
        const refreshesBefore = stack.idp.stats.grants.refresh_token ?? 0;
        // Wait on the token's own expiry, as the page reports it, not on a guessed duration.
        await tab.waitForFunction((exp) => Date.now() / 1000 > exp, first.exp, { timeout: UI_TIMEOUT_MS });
        const second = await callApi(tab);
        expect(second.sub).toBe('alice');
        expect(second.iat).toBeGreaterThan(first.iat);
        expect(stack.idp.stats.grants.refresh_token ?? 0).toBeGreaterThan(refreshesBefore);
        await rememberSessionTokens();
      });

      const second = await context.newPage();
      traffic.watch(second);
      await run('open a second tab and see a notification in both', async () => {
        await second.goto(stack.url);
        await second.locator('#user[data-state="signed-in"]').waitFor();
        await waitForSocketState(second, 'connected');
        const message = `both tabs ${randomUUID()}`;
        await sendNotification(tab, message);
        await expectText(second, '#notifications', message);
      });

      await run('log out and see the socket closed and /auth/user answer 401', async () => {
        await tab.locator('#logout').click();
        await tab.waitForURL(`${stack.url}/**`);
        await tab.locator('#user[data-state="signed-out"]').waitFor();
        // The other tab learns it from its socket: the BFF closes it with 4001 on session end.
        await waitForSocketState(second, 'session-ended');
        const status = await second.evaluate(
          async () => (await fetch('/auth/user', { headers: { 'x-csrf': '1' } })).status,
        );
        expect(status).toBe(401);
      });

      await run('find no token in anything the pages received', async () => {
        // The first access token, its refreshed successor, and the refresh token(s).
        expect(credentials.size).toBeGreaterThanOrEqual(3);
        // Response bodies are read asynchronously; let the last ones land.
        await tab.waitForLoadState('networkidle');
        expect(traffic.texts.length).toBeGreaterThan(10);
        expect(traffic.sightings([...credentials])).toEqual([]);
        // The logout sends the ID token to the IdP as id_token_hint (OIDC RP-Initiated
        // Logout), so it crosses the browser once, in that redirect, and nowhere else.
        expect(traffic.sightings([...idTokens])).toEqual([
          { url: expect.stringContaining('/auth/logout?sid=') as unknown, where: 'headers' },
        ]);
      });
    },
    SCENARIO_TIMEOUT_MS,
  );
});

function ticketOf(cookieValue: string): SessionTicket {
  const ticket = parseTicket(cookieValue);
  if (!ticket) throw new Error('the session cookie is not a ticket');
  return ticket;
}
