import { randomUUID } from 'node:crypto';
import { step } from '../support/chromium';
import { logInThroughTheForm, sendNotification, waitForSocketState } from '../support/spa-page';
import { startSpaStack, type SpaStack } from '../support/spa-stack';

const SCENARIO = 'reconnect';
const SCENARIO_TIMEOUT_MS = 120_000;

describe('the browser client across a BFF restart (Chromium)', () => {
  let spa: SpaStack;

  beforeAll(async () => {
    spa = await startSpaStack();
  }, SCENARIO_TIMEOUT_MS);

  afterAll(async () => {
    await spa.close();
  }, SCENARIO_TIMEOUT_MS);

  it(
    'reconnects the page’s WebSocket after the BFF restarts, and notifications flow again',
    async () => {
      const { stack, context } = spa;
      const run = <T>(name: string, body: () => Promise<T>) => step(context, SCENARIO, name, body);
      const tab = await context.newPage();
      // Every state the page shows, in order, so the test can tell it went through reconnecting.
      const states: string[] = [];
      await tab.exposeFunction('recordSocketState', (state: string) => states.push(state));

      await run('log in and connect', async () => {
        await logInThroughTheForm(tab, stack.url, 'alice');
        await waitForSocketState(tab, 'connected');
        await tab.evaluate(`
          new MutationObserver(() => recordSocketState(document.getElementById('ws-status').dataset.state))
            .observe(document.getElementById('ws-status'), { attributes: true, attributeFilter: ['data-state'] });
        `);
      });

      await run('restart the BFF (sessions are in Redis, so the session outlives it)', async () => {
        await stack.restart(0);
      });

      await run('see the socket reconnect on its own', async () => {
        await waitForSocketState(tab, 'connected');
        expect(states).toContain('reconnecting');
        expect(states[states.length - 1]).toBe('connected');
        // Still the same page, still signed in: nothing reloaded it.
        expect(await tab.locator('#user[data-state="signed-in"]').count()).toBe(1);
      });

      await run('receive a notification over the new socket', async () => {
        await sendNotification(tab, `after the restart ${randomUUID()}`);
      });
    },
    SCENARIO_TIMEOUT_MS,
  );
});
