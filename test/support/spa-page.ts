import type { BrowserContext, Page } from 'playwright-core';

/** What the demo API's /me answers: the claims of the access token it received. */
export interface TokenClaims {
  sub: string;
  iat: number;
  exp: number;
}

/** Logs in through the dev IdP's form from the demo SPA's Log in button. */
export async function logInThroughTheForm(page: Page, bffUrl: string, username: string): Promise<void> {
  await startLogin(page, bffUrl);
  await submitLoginForm(page, bffUrl, username);
}

/** Opens the demo SPA signed out and presses Log in: the page waits at the dev IdP's form. */
export async function startLogin(page: Page, bffUrl: string): Promise<void> {
  await page.goto(bffUrl);
  await page.locator('#user[data-state="signed-out"]').waitFor();
  await page.locator('#login').click();
  await page.locator('#username').waitFor();
}

/** Fills the dev IdP's form (the password is the username) and waits for the SPA to show the user signed in. */
export async function submitLoginForm(page: Page, bffUrl: string, username: string): Promise<void> {
  await page.locator('#username').fill(username);
  await page.locator('#password').fill(username);
  await page.locator('button[type=submit]').click();
  await page.waitForURL(`${bffUrl}/**`);
  await waitForUserState(page, 'signed-in');
}

/**
 * `#user[data-state]` (`signed-in`, `signed-out`…), and with `detectedBy` also
 * `[data-detected-by]`: how the page learnt it (`other-tab`, `close-code`, `page`…).
 */
export async function waitForUserState(page: Page, state: string, detectedBy?: string): Promise<void> {
  const by = detectedBy === undefined ? '' : `[data-detected-by="${detectedBy}"]`;
  await page.locator(`#user[data-state="${state}"]${by}`).waitFor();
}

/**
 * Records every change of `#user` and `#ws-status` as `user:<state>:<detectedBy>` and
 * `ws:<state>`, in the order the page made them, into `window.__pageEvents`. One observer of the
 * whole document, so that as an init script it sees the page's first states too.
 */
const RECORD_PAGE_EVENTS = `(() => {
  if (window.__pageEvents) return;
  const events = (window.__pageEvents = []);
  const describe = (node) =>
    node.id === 'user' ? 'user:' + node.dataset.state + ':' + node.dataset.detectedBy : 'ws:' + node.dataset.state;
  new MutationObserver((records) => {
    for (const { target } of records) {
      if (target.id !== 'user' && target.id !== 'ws-status') continue;
      const event = describe(target);
      if (events[events.length - 1] !== event) events.push(event);
    }
  }).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-state', 'data-detected-by'] });
})()`;

/** Records the page's state changes from now on; read them with {@link pageEvents}. */
export async function recordPageEvents(page: Page): Promise<void> {
  // A string, not a function: the server-side tsconfig has no DOM types.
  await page.evaluate(RECORD_PAGE_EVENTS);
}

/** Records the state changes of every page the context loads from now on, from their start. */
export async function recordPageEventsOf(context: BrowserContext): Promise<void> {
  await context.addInitScript(RECORD_PAGE_EVENTS);
}

/** Whether `seen` holds `wanted` in order; a wanted event ending in `:` matches any it starts. */
function holdsInOrder(seen: readonly string[], wanted: readonly string[]): boolean {
  let next = 0;
  for (const event of seen) {
    const want = wanted[next];
    if (want !== undefined && (event === want || (want.endsWith(':') && event.startsWith(want)))) next++;
  }
  return next === wanted.length;
}

/** How long {@link waitForPageEvents} waits before it fails (a hang, not a measure of speed). */
const PAGE_EVENTS_TIMEOUT_MS = 30_000;
const PAGE_EVENTS_POLL_MS = 50;

/**
 * Waits until the page recorded `events` in this order (others may come between them); one
 * ending in `:` matches any event it starts (`user:signed-in:`, however the page learnt it).
 * Polled from here: `page.waitForFunction` compiles its predicate inside the page, which the demo
 * SPA's CSP (no 'unsafe-eval') refuses as soon as the first check is false.
 */
export async function waitForPageEvents(page: Page, events: string[]): Promise<void> {
  const deadline = Date.now() + PAGE_EVENTS_TIMEOUT_MS;
  for (;;) {
    const seen = await pageEvents(page);
    if (holdsInOrder(seen, events)) return;
    if (Date.now() > deadline) {
      throw new Error(`the page recorded ${JSON.stringify(seen)}, never ${JSON.stringify(events)} in this order`);
    }
    await new Promise((resolve) => setTimeout(resolve, PAGE_EVENTS_POLL_MS));
  }
}

/** What {@link recordPageEvents} saw so far. */
export async function pageEvents(page: Page): Promise<string[]> {
  return page.evaluate<string[]>('window.__pageEvents');
}

/** Clicks "Call API" and returns the claims of the token the demo API received. */
export async function callApi(page: Page): Promise<TokenClaims> {
  const before = await page.locator('#api-history li').count();
  await page.locator('#call-api').click();
  await page.locator('#api-history li').nth(before).waitFor();
  await page.locator('#api-result[data-state="ok"]').waitFor();
  return JSON.parse(await page.locator('#api-body').innerText()) as TokenClaims;
}

/** Sends a notification from this page and waits until it arrives back over its WebSocket. */
export async function sendNotification(page: Page, message: string): Promise<void> {
  await page.locator('#notify-message').fill(message);
  await page.locator('#send-notification').click();
  await expectText(page, '#notifications', message);
}

export async function expectText(page: Page, selector: string, text: string): Promise<void> {
  await page.locator(selector, { hasText: text }).waitFor();
}

/** The demo's WebSocket state, as `#ws-status` shows it (`connected`, `reconnecting`, `session-ended`…). */
export async function waitForSocketState(page: Page, state: string): Promise<void> {
  // Attached, not visible: the signed-out page hides the realtime card.
  await page.locator(`#ws-status[data-state="${state}"]`).waitFor({ state: 'attached' });
}
