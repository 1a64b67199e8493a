import { step } from '../support/chromium';
import { logInThroughTheForm, waitForUserState } from '../support/spa-page';
import { startSpaStack, type SpaStack } from '../support/spa-stack';

const SCENARIO = 'step-up';
const SCENARIO_TIMEOUT_MS = 120_000;
/** The dev IdP's `acr` values: password only, and password plus the demo code. */
const ACR_PASSWORD = 'urn:dev-idp:pwd';
const ACR_MFA = 'urn:dev-idp:mfa';
/** The dev IdP's fixed second-factor code (it shows it on the page). */
const DEMO_OTP = '123456';

/** The demo's "Sensitive action": a route that wants the second factor, reached through a step-up login. */
describe('the demo SPA’s sensitive action, behind a step-up login (Chromium)', () => {
  let spa: SpaStack;

  beforeAll(async () => {
    spa = await startSpaStack({
      // As scripts/demo.ts configures it: the demo API (its `/sensitive`), for second-factor sessions only.
      routes: [{ name: 'sensitive', token: 'user', acr: [ACR_MFA] }],
    });
  }, SCENARIO_TIMEOUT_MS);

  afterAll(async () => {
    await spa.close();
  }, SCENARIO_TIMEOUT_MS);

  it(
    'asks for the second factor on the sensitive action, then lets it through',
    async () => {
      const { stack, context } = spa;
      const run = <T>(name: string, body: () => Promise<T>) => step(context, SCENARIO, name, body);
      const tab = await context.newPage();
      /** The status of each answer the page got from the sensitive route. */
      const sensitiveStatuses: number[] = [];
      tab.on('response', (response) => {
        if (new URL(response.url()).pathname === '/api/sensitive/sensitive') sensitiveStatuses.push(response.status());
      });

      await run('log in with the password alone', async () => {
        await logInThroughTheForm(tab, stack.url, 'alice');
        await tab.locator('#session-acr', { hasText: ACR_PASSWORD }).waitFor();
      });

      await run('see the BFF refuse the route to this session with step_up_required', async () => {
        const answer = await tab.evaluate(async () => {
          const response = await fetch('/api/sensitive/sensitive', { headers: { 'x-csrf': '1' } });
          return { status: response.status, body: await response.json() };
        });
        expect(answer).toEqual({
          status: 401,
          body: expect.objectContaining({
            error: 'step_up_required',
            loginUrl: expect.stringContaining('acr_values=urn%3Adev-idp%3Amfa') as unknown,
          }) as unknown,
        });
        sensitiveStatuses.length = 0;
      });

      await run('press "Sensitive action" and be asked for the password, then the code', async () => {
        await tab.locator('#call-sensitive').click();
        // The page's hook follows the BFF's step_up_required to the login asking for the second factor.
        await tab.locator('#password').waitFor();
        await tab.locator('#username').fill('alice');
        await tab.locator('#password').fill('alice');
        await tab.locator('button[type=submit]').click();
        await tab.locator('#otp').waitFor();
        expect(await tab.locator('#demo-code').innerText()).toBe(DEMO_OTP);
        expect(sensitiveStatuses).toEqual([401]);
      });

      await run('enter the demo code and come back signed in with the second factor', async () => {
        await tab.locator('#otp').fill(DEMO_OTP);
        await tab.locator('button[type=submit]').click();
        await tab.waitForURL(`${stack.url}/**`);
        await waitForUserState(tab, 'signed-in');
        await tab.locator('#session-acr', { hasText: ACR_MFA }).waitFor();
      });

      await run('press "Sensitive action" again and see it succeed', async () => {
        await tab.locator('#call-sensitive').click();
        await tab.locator('#api-result[data-api="sensitive"][data-state="ok"]').waitFor();
        expect(await tab.locator('#api-result').getAttribute('data-status')).toBe('200');
        expect(sensitiveStatuses).toEqual([401, 200]);
        expect(await tab.locator('#api-token-sub').innerText()).toContain('alice');
        // The demo API's made-up account, for the caller.
        expect(await tab.locator('#api-body').innerText()).toContain('"owner": "alice"');
      });
    },
    SCENARIO_TIMEOUT_MS,
  );
});
