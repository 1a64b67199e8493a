import { createDemoApi, type DemoApi } from '@bff/demo-api';
import { BrowserClient } from '../support/browser-client';
import { startStack, TEST_CLIENT, type Stack } from '../support/bff-stack';
import { freePort } from '../support/free-port';

const EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';

interface TokenEcho {
  sub: string;
  aud: string;
  client_id: string;
}

/**
 * The demo's routes (scripts/demo.ts) for real: the dev IdP's client credentials and token
 * exchange grants, the demo API's audiences, and the BFF's per-route token policies between them.
 */
describe('per-route token policies against the dev IdP and the demo API', () => {
  let stack: Stack;
  let api: DemoApi;
  let reports: string;
  let browser: BrowserClient;

  beforeAll(async () => {
    const apiPort = await freePort();
    const apiUrl = `http://127.0.0.1:${String(apiPort)}`;
    // The dev IdP's default audiences: http://localhost:4001 and http://localhost:4001/reports.
    reports = 'http://localhost:4001/reports';
    stack = await startStack({
      env: {
        BFF_ROUTES: JSON.stringify([
          { name: 'demo', upstream: apiUrl, token: 'user' },
          { name: 'reports', upstream: `${apiUrl}/reports`, token: 'exchange', audience: reports },
          { name: 'public', upstream: `${apiUrl}/public`, token: 'client', resource: 'http://localhost:4001' },
          { name: 'reports-as-client', upstream: `${apiUrl}/reports`, token: 'client', audience: reports },
        ]),
      },
    });
    expect(stack.idp.resources).toEqual({ api: 'http://localhost:4001', reports });
    api = await createDemoApi({
      port: apiPort,
      issuer: stack.idp.issuer,
      audience: 'http://localhost:4001',
      publisher: { publish: () => Promise.resolve() },
    });
    browser = new BrowserClient();
    await browser.login(stack.url);
  });

  afterAll(async () => {
    await api.close();
    await stack.close();
  });

  beforeEach(() => stack.idp.resetStats());

  async function getJson<T>(client: BrowserClient, path: string): Promise<T> {
    const response = await client.api(`${stack.url}${path}`);
    expect({ path, status: response.status }).toEqual({ path, status: 200 });
    return (await response.json()) as T;
  }

  it('exchanges alice’s token once for the reports audience and reuses it', async () => {
    const first = await getJson<TokenEcho & { report: { owner: string } }>(browser, '/api/reports/summary');
    expect(first).toMatchObject({ sub: 'alice', aud: reports, client_id: TEST_CLIENT.clientId });
    expect(first.report.owner).toBe('alice');
    await getJson(browser, '/api/reports/summary');
    expect(stack.idp.stats.grants).toEqual({ [EXCHANGE]: 1 });

    // The user's own route still gets the main audience.
    expect(await getJson<TokenEcho>(browser, '/api/demo/me')).toMatchObject({ aud: 'http://localhost:4001' });
  });

  it('serves the public catalog with the BFF’s own token, no session needed, one grant for many calls', async () => {
    const anonymous = new BrowserClient();
    const body = await getJson<TokenEcho & { items: unknown[] }>(anonymous, '/api/public/catalog');
    expect(body).toMatchObject({
      client_id: TEST_CLIENT.clientId,
      sub: TEST_CLIENT.clientId,
      aud: 'http://localhost:4001',
    });
    expect(body.items).toHaveLength(2);
    await getJson(browser, '/api/public/catalog');
    expect(stack.idp.stats.grants).toEqual({ client_credentials: 1 });
  });

  it('asks for a client token by audience as well as by resource', async () => {
    const body = await getJson<TokenEcho>(new BrowserClient(), '/api/reports-as-client/summary');
    expect(body).toMatchObject({ sub: TEST_CLIENT.clientId, aud: reports, client_id: TEST_CLIENT.clientId });
    expect(stack.idp.stats.grants).toEqual({ client_credentials: 1 });
  });
});
