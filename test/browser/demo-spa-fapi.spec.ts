import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { DemoApi } from '@bff/demo-api';
import { launchChromium, step } from '../support/chromium';
import { buildDemoSpa } from '../support/demo-spa';
import { startFapiStack, type FapiStack, startNonceDemandingDemoApi } from '../support/fapi-stack';
import { freePort } from '../support/free-port';
import { expectText, logInThroughTheForm } from '../support/spa-page';
import { UI_TIMEOUT_MS } from '../support/spa-stack';

const SCENARIO = 'demo SPA, FAPI 2.0';
const SCENARIO_TIMEOUT_MS = 120_000;

/**
 * The demo as `DEMO_PROFILE=fapi2 npm run demo` runs it, in a real browser: the dev IdP in FAPI
 * 2.0 mode binding every token, the BFF with `OIDC_PROFILE=fapi2`, the demo API requiring its
 * nonce; the page shows that each of the three routes reached the API with a DPoP token.
 */
describe('the demo SPA in FAPI 2.0 mode, in a real browser (Chromium)', () => {
  let staticDir: string;
  let stack: FapiStack;
  let api: DemoApi;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    staticDir = await buildDemoSpa();
    const apiPort = await freePort();
    const apiUrl = `http://127.0.0.1:${String(apiPort)}`;
    stack = await startFapiStack({
      dpopBoundAccessTokens: true,
      env: {
        BFF_STATIC_DIR: staticDir,
        BFF_DEV_INSECURE_COOKIES: 'true',
        // The demo's three routes (scripts/demo.ts), one per token policy.
        BFF_ROUTES: JSON.stringify([
          { name: 'demo', upstream: apiUrl, token: 'user' },
          {
            name: 'reports',
            upstream: `${apiUrl}/reports`,
            token: 'exchange',
            audience: 'http://localhost:4001/reports',
          },
          { name: 'public', upstream: `${apiUrl}/public`, token: 'client', resource: 'http://localhost:4001' },
        ]),
      },
    });
    api = await startNonceDemandingDemoApi(stack, apiPort);
    browser = await launchChromium();
    const context = await browser.newContext();
    context.setDefaultTimeout(UI_TIMEOUT_MS);
    page = await context.newPage();
  }, SCENARIO_TIMEOUT_MS);

  afterAll(async () => {
    // Each part may be missing when beforeAll failed half-way.
    /* eslint-disable @typescript-eslint/no-unnecessary-condition */
    await browser?.close();
    await api?.close();
    await stack?.close();
    if (staticDir) await rm(dirname(staticDir), { recursive: true, force: true });
    /* eslint-enable @typescript-eslint/no-unnecessary-condition */
  }, SCENARIO_TIMEOUT_MS);

  it(
    'logs alice in and shows DPoP as the token type of each API call',
    async () => {
      const run = <T>(name: string, action: () => Promise<T>) => step(page.context(), SCENARIO, name, action);
      await run('log in through PAR', () => logInThroughTheForm(page, stack.url, 'alice'));
      for (const [button, label] of [
        ['#call-api', 'API'],
        ['#call-reports', 'Reports API'],
        ['#call-public', 'Public API'],
      ] as const) {
        await run(`call the ${label}`, async () => {
          await page.locator(button).click();
          await expectText(page, '#api-token-caption', `Token the ${label} received`);
          await page.locator('#api-result[data-state="ok"]').waitFor();
          await expectText(page, '#api-token-type', 'DPoP');
          await expectText(page, '#api-history li', `${label}: 200 DPoP`);
        });
      }
      const stats = api.dpop.stats();
      expect(stats.accepted).toBeGreaterThanOrEqual(3);
      expect(stats.rejected.bearer_scheme).toBeUndefined();
    },
    SCENARIO_TIMEOUT_MS,
  );
});
