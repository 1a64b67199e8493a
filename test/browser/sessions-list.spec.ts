import { randomUUID } from 'node:crypto';
import type { BrowserContext, Locator } from 'playwright-core';
import { step } from '../support/chromium';
import { logInThroughTheForm, waitForSocketState, waitForUserState } from '../support/spa-page';
import { startSpaStack, type SpaStack } from '../support/spa-stack';

const SCENARIO = 'sessions list';
const SCENARIO_TIMEOUT_MS = 120_000;

/** "Your devices": the user's sessions in other browsers, each with a "Sign out" button. */
describe('the demo SPA’s list of the user’s devices (Chromium)', () => {
  let spa: SpaStack;
  let phone: BrowserContext | undefined;

  beforeAll(async () => {
    spa = await startSpaStack();
  }, SCENARIO_TIMEOUT_MS);

  afterAll(async () => {
    await phone?.close();
    await spa.close();
  }, SCENARIO_TIMEOUT_MS);

  it(
    'shows a second browser’s session, and signing it out closes that browser’s socket and signs it out',
    async () => {
      const { stack, context } = spa;
      // The test Redis is shared: other sessions of alice may be listed too. This one is told
      // apart by its User-Agent, which the list shows.
      const phoneAgent = `Phone browser ${randomUUID()}`;
      phone = await spa.newContext({ userAgent: phoneAgent });
      const browsers = [context, phone];
      const run = <T>(name: string, body: () => Promise<T>) => step(browsers, SCENARIO, name, body);
      const laptopTab = await context.newPage();
      const phoneTab = await phone.newPage();

      await run('log alice in on the laptop and on the phone', async () => {
        await logInThroughTheForm(laptopTab, stack.url, 'alice');
        await logInThroughTheForm(phoneTab, stack.url, 'alice');
        await waitForSocketState(phoneTab, 'connected');
      });

      const phoneSession = laptopTab.locator('#sessions li.session', { hasText: phoneAgent });
      const thisDevice = laptopTab.locator('#sessions li.session[data-current="true"]');

      await run('see the phone’s session in the laptop’s list, apart from this device', async () => {
        await laptopTab.locator('#refresh-sessions').click();
        await phoneSession.waitFor();
        expect(await phoneSession.getAttribute('data-current')).toBe('false');
        expect(await phoneSession.getAttribute('data-handle')).toMatch(/\S/);
        await expectTextIn(thisDevice, 'this device');
        expect(await thisDevice.locator('.user-agent').innerText()).not.toContain(phoneAgent);
        expect(await thisDevice.locator('.created-at time').getAttribute('datetime')).toMatch(/^\d{4}-\d\d-\d\dT/);
        expect(await thisDevice.locator('.last-seen-at time').getAttribute('datetime')).toMatch(/^\d{4}-\d\d-\d\dT/);
      });

      await run('sign the phone out from the laptop', async () => {
        await phoneSession.locator('button.end-session').click();
        // The list is asked again: the phone is gone, the laptop still there.
        await phoneSession.waitFor({ state: 'detached' });
        await thisDevice.waitFor();
        await waitForUserState(laptopTab, 'signed-in');
      });

      await run('see the phone’s socket closed by the BFF and the phone signed out', async () => {
        await waitForSocketState(phoneTab, 'session-ended');
        await waitForUserState(phoneTab, 'signed-out', 'close-code');
        const status = await phoneTab.evaluate(
          async () => (await fetch('/auth/user', { headers: { 'x-csrf': '1' } })).status,
        );
        expect(status).toBe(401);
      });
    },
    SCENARIO_TIMEOUT_MS,
  );
});

async function expectTextIn(locator: Locator, text: string): Promise<void> {
  await locator.filter({ hasText: text }).waitFor();
}
