import type { Page } from 'playwright-core';

/** What the demo API's /me answers: the claims of the access token it received. */
export interface TokenClaims {
  sub: string;
  iat: number;
  exp: number;
}

/** Logs in through the dev IdP's form from the demo SPA's Log in button. */
export async function logInThroughTheForm(page: Page, bffUrl: string, username: string): Promise<void> {
  await page.goto(bffUrl);
  await page.locator('#login').click();
  await page.locator('#username').fill(username);
  await page.locator('#password').fill(username);
  await page.locator('button[type=submit]').click();
  await page.waitForURL(`${bffUrl}/**`);
  await page.locator('#user[data-state="signed-in"]').waitFor();
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
