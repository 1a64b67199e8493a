import { step } from '../support/chromium';
import { logInThroughTheForm, waitForUserState } from '../support/spa-page';
import { startSpaStack, type SpaStack } from '../support/spa-stack';

const SCENARIO = 'session status';
const SCENARIO_TIMEOUT_MS = 120_000;
/** The shortest idle lifetime the BFF allows: within the page's 60 s warning from the start. */
const IDLE_TIMEOUT_SECONDS = 60;
const ISO_8601 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

/** The session's expiries and acr as `/auth/user` reports them, and the expiry warning of `watchSession()`. */
describe('the demo SPA’s session status (Chromium)', () => {
  let spa: SpaStack;

  beforeAll(async () => {
    spa = await startSpaStack({ env: { SESSION_IDLE_TIMEOUT_SECONDS: String(IDLE_TIMEOUT_SECONDS) } });
  }, SCENARIO_TIMEOUT_MS);

  afterAll(async () => {
    await spa.close();
  }, SCENARIO_TIMEOUT_MS);

  it(
    'shows the idle and absolute expiry, and warns that a session about to expire is expiring',
    async () => {
      const { stack, context } = spa;
      const run = <T>(name: string, body: () => Promise<T>) => step(context, SCENARIO, name, body);
      const tab = await context.newPage();

      await run('log in', async () => {
        await logInThroughTheForm(tab, stack.url, 'alice');
        await waitForUserState(tab, 'signed-in', 'page');
      });

      await run('see both expiries, the idle one first', async () => {
        const idle = await tab.locator('#session-idle-expires').getAttribute('datetime');
        const absolute = await tab.locator('#session-absolute-expires').getAttribute('datetime');
        expect(idle).toMatch(ISO_8601);
        expect(absolute).toMatch(ISO_8601);
        expect(Date.parse(idle!)).toBeLessThan(Date.parse(absolute!));
        expect(await tab.locator('#session-acr').innerText()).not.toBe('');
      });

      await run('see the expiry warning of the watch', async () => {
        // The page warns a minute ahead; the whole idle lifetime is a minute.
        await tab.locator('#session-expiring').waitFor({ state: 'visible' });
        expect(await tab.locator('#session-expiring').innerText()).toContain('expires soon');
      });
    },
    SCENARIO_TIMEOUT_MS,
  );
});
