import { DEMO_OTP, DEV_ACR_MFA, DEV_ACR_PASSWORD, type DevIdp } from '@bff/dev-idp';
import { BrowserClient } from '../support/browser-client';
import { startStack, type Stack } from '../support/bff-stack';
import { completeIdpLogin } from '../support/idp-login';

/** The authorization request parameters the dev IdP accepted, in order (PAR or query alike). */
function recordAuthorizations(idp: DevIdp): Record<string, unknown>[] {
  const seen: Record<string, unknown>[] = [];
  idp.provider.on('authorization.accepted', (ctx) => {
    seen.push({ ...(ctx.oidc.params as Record<string, unknown>) });
  });
  return seen;
}

async function startLogin(browser: BrowserClient, bffUrl: string, query: string): Promise<Response> {
  return browser.fetch(`${bffUrl}/auth/login?${query}`);
}

// Each suite starts a real stack (IdP, BFF instances, Redis): jest's 5 s default is tight on a busy 2-core machine.
jest.setTimeout(30_000);

describe('/auth/login forwards the validated login parameters', () => {
  let stack: Stack;
  let seen: Record<string, unknown>[];

  beforeAll(async () => {
    stack = await startStack();
    seen = recordAuthorizations(stack.idp);
  });
  afterAll(async () => {
    await stack.close();
  });
  afterEach(() => {
    stack.idp.setFault(null);
  });

  it('forwards prompt, login_hint, ui_locales, acr_values and max_age to the IdP and completes the login', async () => {
    const browser = new BrowserClient();
    const query =
      'returnTo=%2Fhome&prompt=login&login_hint=alice%40example.com&ui_locales=de-CH+fr' +
      `&acr_values=${encodeURIComponent(`${DEV_ACR_PASSWORD} ${DEV_ACR_MFA}`)}&max_age=600`;
    const start = await startLogin(browser, stack.url, query);
    expect(start.status).toBe(302);
    const callback = await completeIdpLogin(start.headers.get('location')!, 'alice', 'alice', browser.jar, DEMO_OTP);
    expect(seen[seen.length - 1]).toMatchObject({
      prompt: 'login',
      login_hint: 'alice@example.com',
      ui_locales: 'de-CH fr',
      acr_values: `${DEV_ACR_PASSWORD} ${DEV_ACR_MFA}`,
      max_age: '600',
    });
    const done = await browser.fetch(callback);
    expect(done.status).toBe(302);
    expect(done.headers.get('location')).toBe('/home');
    const user = (await (await browser.api(`${stack.url}/auth/user`)).json()) as { acr?: string; authTime?: string };
    expect(user.acr).toBe(DEV_ACR_MFA);
    expect(Date.now() - Date.parse(user.authTime ?? '')).toBeLessThan(60_000);
  });

  it.each([
    ['an unknown parameter', 'redirect_uri=https%3A%2F%2Fevil.example', 'redirect_uri'],
    ['a parameter given twice', 'prompt=login&prompt=consent', 'prompt'],
    ['returnTo given twice', 'returnTo=%2Fa&returnTo=%2Fb', 'returnTo'],
    ['a malformed escape', 'login_hint=%zzsecret', 'login_hint'],
    ['an escape that is not UTF-8', 'login_hint=%C3secret', 'login_hint'],
    ['an unknown prompt', 'prompt=secret', 'prompt'],
    ['prompt none with another value', 'prompt=none+login', 'prompt'],
    ['a login_hint of 256 characters', `login_hint=${'s'.repeat(256)}`, 'login_hint'],
    ['a login_hint outside printable ASCII', 'login_hint=secr%C3%A9t', 'login_hint'],
    ['a ui_locales entry that is not a tag', 'ui_locales=secret_CH', 'ui_locales'],
    ['acr_values with a double space', 'acr_values=secret%20%20b', 'acr_values'],
    ['acr_values with a newline', 'acr_values=secret%0A', 'acr_values'],
    ['a negative max_age', 'max_age=-1', 'max_age'],
    ['a max_age that is not a number', 'max_age=secret', 'max_age'],
    ['an empty max_age', 'max_age=', 'max_age'],
  ])('refuses %s with 400 invalid_login_parameter naming it, not echoing the value', async (_label, query, name) => {
    const seenBefore = seen.length;
    const browser = new BrowserClient();
    const response = await startLogin(browser, stack.url, query);
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
    const body = (await response.json()) as { error: string; message: string };
    expect(body.error).toBe('invalid_login_parameter');
    expect(body.message).toContain(`login parameter ${name} `);
    expect(body.message).not.toMatch(/secret|evil/);
    // No transaction, no login cookie, nothing sent to the IdP.
    expect(browser.cookieHeader()).toBe('');
    expect(seen.length).toBe(seenBefore);
  });

  it('with max_age, refuses an ID token whose auth_time is older than max_age (400 login_failed, no session)', async () => {
    stack.idp.setFault('stale-auth-time');
    const browser = new BrowserClient();
    const start = await startLogin(browser, stack.url, 'max_age=60');
    const callback = await completeIdpLogin(start.headers.get('location')!, 'alice', 'alice', browser.jar);
    const done = await browser.fetch(callback);
    expect(done.status).toBe(400);
    expect(((await done.json()) as { error: string }).error).toBe('login_failed');
    expect((await browser.api(`${stack.url}/auth/user`)).status).toBe(401);
  });

  it('the same stale auth_time passes without max_age (the check is max_age’s)', async () => {
    stack.idp.setFault('stale-auth-time');
    const browser = new BrowserClient();
    const start = await startLogin(browser, stack.url, '');
    const callback = await completeIdpLogin(start.headers.get('location')!, 'alice', 'alice', browser.jar);
    expect((await browser.fetch(callback)).status).toBe(302);
  });

  it('prompt=none without an IdP session: back to returnTo with ?login_error=login_required, no session', async () => {
    const browser = new BrowserClient();
    const start = await startLogin(browser, stack.url, 'prompt=none&returnTo=%2Fapp%3Fx%3D1');
    // The IdP answers at once, without a page: its redirect goes straight to the callback.
    const idp = await browser.fetch(start.headers.get('location')!);
    expect(idp.status).toBe(303);
    const callback = new URL(idp.headers.get('location')!);
    expect(callback.searchParams.get('error')).toBe('login_required');
    const done = await browser.fetch(callback.href);
    expect(done.status).toBe(302);
    expect(done.headers.get('location')).toBe('/app?x=1&login_error=login_required');
    expect((await browser.api(`${stack.url}/auth/user`)).status).toBe(401);
  });

  it('prompt=none with an IdP session logs in silently; an interaction_required keeps the session', async () => {
    const browser = new BrowserClient();
    await browser.login(stack.url);
    const silent = await startLogin(browser, stack.url, 'prompt=none&returnTo=%2Fsilent');
    const callback = await completeIdpLogin(silent.headers.get('location')!, 'alice', 'alice', browser.jar);
    const done = await browser.fetch(callback);
    expect(done.headers.get('location')).toBe('/silent');
    // A silent step-up the IdP cannot do (it needs the code): the SPA hears it, the session stays.
    const stepUp = await startLogin(browser, stack.url, `prompt=none&acr_values=${encodeURIComponent(DEV_ACR_MFA)}`);
    const refused = await browser.fetch(
      await completeIdpLogin(stepUp.headers.get('location')!, 'alice', 'alice', browser.jar),
    );
    expect(refused.headers.get('location')).toBe('/?login_error=interaction_required');
    expect((await browser.api(`${stack.url}/auth/user`)).status).toBe(200);
  });
});

describe('OIDC_LOGIN_PARAMETERS narrowed, with PAR', () => {
  let stack: Stack;
  let seen: Record<string, unknown>[];

  beforeAll(async () => {
    stack = await startStack({ env: { OIDC_LOGIN_PARAMETERS: 'acr_values,max_age', OIDC_PAR: 'always' } });
    seen = recordAuthorizations(stack.idp);
  });
  afterAll(async () => {
    await stack.close();
  });

  it('refuses a parameter it does not list with 400 invalid_login_parameter', async () => {
    const response = await startLogin(new BrowserClient(), stack.url, 'prompt=login');
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string; message: string }).message).toContain(
      'login parameter prompt is not a login parameter this BFF forwards',
    );
  });

  it('pushes the listed ones in the authorization request (PAR): the IdP sees them', async () => {
    const browser = new BrowserClient();
    const start = await startLogin(browser, stack.url, `acr_values=${encodeURIComponent(DEV_ACR_MFA)}&max_age=300`);
    const location = new URL(start.headers.get('location')!);
    expect(location.searchParams.get('acr_values')).toBeNull();
    expect(location.searchParams.get('request_uri')).toMatch(/^urn:ietf:params:oauth:request_uri:/);
    const callback = await completeIdpLogin(location.href, 'alice', 'alice', browser.jar, DEMO_OTP);
    expect(seen[seen.length - 1]).toMatchObject({ acr_values: DEV_ACR_MFA, max_age: '300' });
    expect((await browser.fetch(callback)).status).toBe(302);
  });
});
