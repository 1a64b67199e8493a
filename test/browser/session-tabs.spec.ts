import type { BrowserContext, Page } from 'playwright-core';
import { step } from '../support/chromium';
import {
  pageEvents,
  recordPageEvents,
  recordPageEventsOf,
  startLogin,
  submitLoginForm,
  waitForPageEvents,
  waitForSocketState,
  waitForUserState,
} from '../support/spa-page';
import { startSpaStack, type SpaStack } from '../support/spa-stack';

const SCENARIO_TIMEOUT_MS = 120_000;

/** Tabs of one browser profile: they share the session cookie, and the client keeps them in sync. */
describe('the demo SPA in several tabs of one browser (Chromium)', () => {
  let spa: SpaStack;
  let context: BrowserContext;

  beforeAll(async () => {
    spa = await startSpaStack();
  }, SCENARIO_TIMEOUT_MS);

  beforeEach(async () => {
    // A fresh profile per test: no cookie of the test before.
    context = await spa.newContext();
  });

  afterEach(async () => {
    await context.close();
  });

  afterAll(async () => {
    await spa.close();
  }, SCENARIO_TIMEOUT_MS);

  async function twoTabs(): Promise<[Page, Page]> {
    return [await context.newPage(), await context.newPage()];
  }

  it(
    'lets two tabs start a login at once, and both end signed in',
    async () => {
      const run = <T>(name: string, body: () => Promise<T>) => step(context, 'parallel logins', name, body);
      const [first, second] = await twoTabs();
      const { url } = spa.stack;
      await recordPageEventsOf(context);
      // Each tab's own callback: a refused one (a state mismatch) would answer 400, not redirect.
      const callbacks = new Map<Page, number[]>([
        [first, []],
        [second, []],
      ]);
      for (const [tab, statuses] of callbacks) {
        tab.on('response', (response) => {
          if (new URL(response.url()).pathname === '/auth/callback') statuses.push(response.status());
        });
      }

      await run('send both tabs to the IdP before either logs in', async () => {
        await startLogin(first, url);
        await startLogin(second, url);
      });

      await run('complete the first tab’s login', async () => {
        await submitLoginForm(first, url, 'alice');
        await waitForSocketState(first, 'connected');
      });

      await run('complete the second tab’s login, which started before the first completed', async () => {
        await submitLoginForm(second, url, 'alice');
        await waitForSocketState(second, 'connected');
        expect([...callbacks.values()]).toEqual([[302], [302]]);
      });

      await run('see the first tab carry on with the session the second login made', async () => {
        // The later login replaced the first tab's session, whose socket the BFF closed (4001)
        // once its answer had set the new cookie. The client asks /auth/user before it believes a
        // close: it found the new session and reconnected, and the page never showed an end.
        await waitForPageEvents(first, ['user:signed-in:page', 'ws:connected', 'ws:reconnecting', 'ws:connected']);
        const events = await pageEvents(first);
        expect(events.filter((event) => event.startsWith('user:signed-out') || event === 'ws:session-ended')).toEqual(
          [],
        );
        await waitForUserState(first, 'signed-in');
        await waitForUserState(second, 'signed-in');
        for (const tab of [first, second]) {
          const status = await tab.evaluate(
            async () => (await fetch('/auth/user', { headers: { 'x-csrf': '1' } })).status,
          );
          expect(status).toBe(200);
        }
      });
    },
    SCENARIO_TIMEOUT_MS,
  );

  it(
    'turns the other tab signed out as soon as one tab logs out, before any socket close arrives',
    async () => {
      const run = <T>(name: string, body: () => Promise<T>) => step(context, 'logout in one tab', name, body);
      const [first, second] = await twoTabs();
      const { url } = spa.stack;

      await run('log in in the first tab and open the second', async () => {
        await startLogin(first, url);
        await submitLoginForm(first, url, 'alice');
        await second.goto(url);
        await waitForUserState(second, 'signed-in');
        await waitForSocketState(second, 'connected');
        await recordPageEvents(second);
      });

      await run('log out in the first tab', async () => {
        await first.locator('#logout').click();
        await first.waitForURL(`${url}/**`);
        await waitForUserState(first, 'signed-out');
      });

      await run('see the second tab signed out by the other tab, not by its socket', async () => {
        await waitForUserState(second, 'signed-out', 'other-tab');
        await waitForSocketState(second, 'session-ended');
        // The tab message ended the socket from this side: the page never saw a 4001 close.
        await second.locator('#ws-detail', { hasText: 'other-tab' }).waitFor({ state: 'attached' });
        const events = await pageEvents(second);
        const signedOut = events.indexOf('user:signed-out:other-tab');
        expect(signedOut).toBeGreaterThanOrEqual(0);
        // Nothing signed the page in again afterwards.
        expect(events.slice(signedOut).filter((event) => event.startsWith('user:signed-in'))).toEqual([]);
        const status = await second.evaluate(
          async () => (await fetch('/auth/user', { headers: { 'x-csrf': '1' } })).status,
        );
        expect(status).toBe(401);
      });
    },
    SCENARIO_TIMEOUT_MS,
  );
});
