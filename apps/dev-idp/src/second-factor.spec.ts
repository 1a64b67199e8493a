import * as client from 'openid-client';
import { completeIdpLogin, IdpCookieJar } from '../../../test/support/idp-login';
import { createDevIdp, type DevIdp } from './index';
import { DEMO_OTP, DEV_ACR_MFA, DEV_ACR_PASSWORD, PendingSecondFactors, wantsSecondFactor } from './second-factor';

const CLIENT_ID = 'mfa-bff';
const CLIENT_SECRET = 'mfa-bff-secret';
const REDIRECT_URI = 'http://localhost:3998/auth/callback';

describe('dev IdP second factor', () => {
  let idp: DevIdp;
  let config: client.Configuration;

  beforeAll(async () => {
    idp = await createDevIdp({
      clients: [
        { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUris: [REDIRECT_URI], postLogoutRedirectUris: [] },
      ],
    });
    config = await client.discovery(
      new URL(idp.issuer),
      CLIENT_ID,
      undefined,
      client.ClientSecretBasic(CLIENT_SECRET),
      { execute: [client.allowInsecureRequests, client.enableNonRepudiationChecks] },
    );
  });

  afterAll(async () => {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- beforeAll may have failed
    await idp?.close();
  });

  /** An authorization URL and what its callback needs. */
  async function start(extra: Record<string, string> = {}) {
    const pkceCodeVerifier = client.randomPKCECodeVerifier();
    const expectedState = client.randomState();
    const expectedNonce = client.randomNonce();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT_URI,
      scope: 'openid',
      code_challenge: await client.calculatePKCECodeChallenge(pkceCodeVerifier),
      code_challenge_method: 'S256',
      state: expectedState,
      nonce: expectedNonce,
      ...extra,
    });
    return { url: url.href, checks: { pkceCodeVerifier, expectedState, expectedNonce } };
  }

  async function claimsAfterLogin(extra: Record<string, string>, jar = new IdpCookieJar(), otp?: string) {
    const { url, checks } = await start(extra);
    const callback = await completeIdpLogin(url, 'alice', 'alice', jar, otp);
    const tokens = await client.authorizationCodeGrant(config, new URL(callback), checks);
    return tokens.claims();
  }

  it('advertises the password and second-factor acr values', () => {
    expect(config.serverMetadata().acr_values_supported).toEqual([DEV_ACR_PASSWORD, DEV_ACR_MFA]);
  });

  it('a password login yields acr urn:dev-idp:pwd, amr [pwd] and auth_time', async () => {
    const before = Math.floor(Date.now() / 1000);
    const claims = await claimsAfterLogin({});
    expect(claims?.acr).toBe(DEV_ACR_PASSWORD);
    expect(claims?.amr).toEqual(['pwd']);
    expect(claims?.auth_time).toBeGreaterThanOrEqual(before);
  });

  it('acr_values urn:dev-idp:mfa asks for the demo code after the password, then acr mfa and amr [pwd, otp]', async () => {
    const claims = await claimsAfterLogin({ acr_values: DEV_ACR_MFA }, new IdpCookieJar(), DEMO_OTP);
    expect(claims?.acr).toBe(DEV_ACR_MFA);
    expect(claims?.amr).toEqual(['pwd', 'otp']);
  });

  it('the code page shows the demo code; a wrong code asks again with 401', async () => {
    const { url } = await start({ acr_values: DEV_ACR_MFA });
    await expect(completeIdpLogin(url, 'alice', 'alice', new IdpCookieJar())).rejects.toThrow(
      new RegExp(`HTTP 200 .*Demo code: <strong id="demo-code">${DEMO_OTP}<`),
    );
    const { url: again } = await start({ acr_values: DEV_ACR_MFA });
    await expect(completeIdpLogin(again, 'alice', 'alice', new IdpCookieJar(), '000000')).rejects.toThrow(
      /login rejected\): HTTP 401.*Wrong code/,
    );
  });

  it('a password session is not enough for acr_values mfa: the IdP asks again and then raises acr', async () => {
    const jar = new IdpCookieJar();
    expect((await claimsAfterLogin({}, jar))?.acr).toBe(DEV_ACR_PASSWORD);
    const stepped = await claimsAfterLogin({ acr_values: DEV_ACR_MFA }, jar, DEMO_OTP);
    expect(stepped?.acr).toBe(DEV_ACR_MFA);
    // Now the IdP session has the second factor: a further mfa request is silent.
    const { url, checks } = await start({ acr_values: DEV_ACR_MFA, prompt: 'none' });
    const callback = await completeIdpLogin(url, 'alice', 'alice', jar);
    expect((await client.authorizationCodeGrant(config, new URL(callback), checks)).claims()?.acr).toBe(DEV_ACR_MFA);
  });

  it('prompt=none without an IdP session answers login_required to the redirect URI', async () => {
    const { url } = await start({ prompt: 'none' });
    const callback = new URL(await completeIdpLogin(url, 'alice', 'alice', new IdpCookieJar()));
    expect(callback.searchParams.get('error')).toBe('login_required');
  });
});

describe('PendingSecondFactors', () => {
  it('remembers an account per interaction until forgotten or expired', () => {
    let now = 1_000;
    const pending = new PendingSecondFactors(500, () => now);
    pending.remember('uid-1', 'alice');
    expect(pending.accountOf('uid-1')).toBe('alice');
    expect(pending.accountOf('uid-2')).toBeUndefined();
    pending.forget('uid-1');
    expect(pending.accountOf('uid-1')).toBeUndefined();
    pending.remember('uid-3', 'bob');
    now += 500;
    expect(pending.accountOf('uid-3')).toBeUndefined();
  });

  it('wantsSecondFactor reads space-separated acr_values', () => {
    expect(wantsSecondFactor(`${DEV_ACR_PASSWORD} ${DEV_ACR_MFA}`)).toBe(true);
    expect(wantsSecondFactor(DEV_ACR_PASSWORD)).toBe(false);
    expect(wantsSecondFactor(undefined)).toBe(false);
  });
});
