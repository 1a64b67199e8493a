import { DEMO_OTP, DEV_ACR_MFA, DEV_ACR_PASSWORD } from '@bff/dev-idp';
import { BrowserClient } from '../support/browser-client';
import { startStack, type Stack } from '../support/bff-stack';
import { EchoUpstream } from '../support/echo-upstream';
import { startFapiStack, type FapiStack } from '../support/fapi-stack';
import { completeIdpLogin } from '../support/idp-login';

interface StepUpBody {
  error: string;
  message: string;
  loginUrl: string;
}

const MFA_LOGIN = `/auth/login?acr_values=${encodeURIComponent(DEV_ACR_MFA)}`;

// Each suite starts a real stack (IdP, BFF instances, Redis): jest's 5 s default is tight on a busy 2-core machine.
jest.setTimeout(30_000);

describe('step-up: a route with acr answers 401 step_up_required until the session has one of them', () => {
  let upstream: EchoUpstream;
  let stack: Stack;
  const logs: string[] = [];

  beforeAll(async () => {
    upstream = await EchoUpstream.start();
    stack = await startStack({
      env: {
        BFF_ROUTES: JSON.stringify([
          { name: 'sensitive', upstream: upstream.url, token: 'user', acr: [DEV_ACR_MFA] },
          { name: 'plain', upstream: upstream.url, token: 'user' },
        ]),
      },
      logs: { write: (line) => logs.push(line) },
    });
  });
  afterAll(async () => {
    await stack.close();
    await upstream.close();
  });

  async function refusal(browser: BrowserClient, referer?: string): Promise<StepUpBody> {
    const seenBefore = upstream.seen.length;
    const grantsBefore = { ...stack.idp.stats.grants };
    const response = await browser.api(`${stack.url}/api/sensitive/echo`, {
      headers: referer === undefined ? {} : { referer },
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = (await response.json()) as StepUpBody;
    expect(body.error).toBe('step_up_required');
    // Refused before any token work or upstream call.
    expect(upstream.seen.length).toBe(seenBefore);
    expect(stack.idp.stats.grants).toEqual(grantsBefore);
    return body;
  }

  it('refuses a password session with a loginUrl asking for the route acr, back to the Referer page', async () => {
    const browser = new BrowserClient();
    await browser.login(stack.url);
    expect(((await (await browser.api(`${stack.url}/auth/user`)).json()) as { acr?: string }).acr).toBe(
      DEV_ACR_PASSWORD,
    );
    const body = await refusal(browser, `${stack.url}/orders?id=1#top`);
    expect(body.loginUrl).toBe(`${MFA_LOGIN}&returnTo=${encodeURIComponent('/orders?id=1')}`);
    // The route without acr is not affected.
    expect((await browser.api(`${stack.url}/api/plain/echo`)).status).toBe(200);
    // Logged at info, without the session cookie or any token.
    const line = logs.find((l) => l.includes('step_up_required'));
    expect(line).toBeDefined();
    expect(line).toContain('"level":30');
    expect(line).not.toContain(browser.cookieHeader().split('=')[1]!.slice(0, 20));
    expect(line).not.toMatch(/eyJ/);
  });

  it.each([
    ['of another origin', 'https://evil.example/orders'],
    ['of another port', 'http://localhost:1/orders'],
    ['that is not a URL', 'not a url'],
    ['with a network-path trick', 'PLACEHOLDER/%2F%2Fevil.example'],
    ['absent', undefined],
  ])('never produces a returnTo off-site: a Referer %s gives returnTo /', async (_label, referer) => {
    const browser = new BrowserClient();
    await browser.login(stack.url);
    const body = await refusal(browser, referer?.replace('PLACEHOLDER', stack.url));
    expect(body.loginUrl).toBe(`${MFA_LOGIN}&returnTo=%2F`);
  });

  it('without a session answers session_required, not a step-up', async () => {
    const response = await new BrowserClient().api(`${stack.url}/api/sensitive/echo`);
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: string }).error).toBe('session_required');
  });

  it('following the loginUrl with the second factor yields an mfa session whose calls pass', async () => {
    const browser = new BrowserClient();
    await browser.login(stack.url);
    const { loginUrl } = await refusal(browser, `${stack.url}/pay`);
    const start = await browser.fetch(`${stack.url}${loginUrl}`);
    expect(start.status).toBe(302);
    // The IdP session has only the password: the IdP asks for it again, then for the code.
    const callback = await completeIdpLogin(start.headers.get('location')!, 'alice', 'alice', browser.jar, DEMO_OTP);
    const done = await browser.fetch(callback);
    expect(done.status).toBe(302);
    expect(done.headers.get('location')).toBe('/pay');
    const user = (await (await browser.api(`${stack.url}/auth/user`)).json()) as { acr?: string; amr?: string[] };
    expect(user).toMatchObject({ acr: DEV_ACR_MFA, amr: ['pwd', 'otp'] });
    const call = await browser.api(`${stack.url}/api/sensitive/echo`);
    expect(call.status).toBe(200);
    expect(upstream.seen[upstream.seen.length - 1]!.url).toBe('/echo');
  });

  it('a wrong code is asked again and leaves the session as it was', async () => {
    const browser = new BrowserClient();
    await browser.login(stack.url);
    const { loginUrl } = await refusal(browser);
    const start = await browser.fetch(`${stack.url}${loginUrl}`);
    await expect(
      completeIdpLogin(start.headers.get('location')!, 'alice', 'alice', browser.jar, '654321'),
    ).rejects.toThrow(/login rejected\): HTTP 401.*Wrong code/);
    await refusal(browser);
  });
});

describe('step-up in FAPI 2.0 mode (PAR, private_key_jwt, DPoP), as DEMO_PROFILE=fapi2 runs it', () => {
  let upstream: EchoUpstream;
  let stack: FapiStack;

  beforeAll(async () => {
    upstream = await EchoUpstream.start();
    stack = await startFapiStack({
      env: {
        BFF_ROUTES: JSON.stringify([{ name: 'sensitive', upstream: upstream.url, token: 'user', acr: [DEV_ACR_MFA] }]),
      },
    });
  });
  afterAll(async () => {
    await stack.close();
    await upstream.close();
  });

  it('refuses the password session, then lets the second-factor session through with a DPoP-bound token', async () => {
    const browser = new BrowserClient();
    await browser.login(stack.url);
    const refused = await browser.api(`${stack.url}/api/sensitive/echo`, { headers: { referer: `${stack.url}/pay` } });
    expect(refused.status).toBe(401);
    const { loginUrl } = (await refused.json()) as StepUpBody;
    expect(loginUrl).toBe(`${MFA_LOGIN}&returnTo=%2Fpay`);
    const start = await browser.fetch(`${stack.url}${loginUrl}`);
    const callback = await completeIdpLogin(start.headers.get('location')!, 'alice', 'alice', browser.jar, DEMO_OTP);
    expect((await browser.fetch(callback)).headers.get('location')).toBe('/pay');
    const call = await browser.api(`${stack.url}/api/sensitive/echo`);
    expect(call.status).toBe(200);
    expect(upstream.seen[upstream.seen.length - 1]!.headers.authorization).toMatch(/^DPoP /);
  });
});
