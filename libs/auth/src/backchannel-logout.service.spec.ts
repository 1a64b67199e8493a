import { Logger } from '@nestjs/common';
import type { SingleUseGuard } from '@bff/cluster';
import { OidcConfig } from '@bff/config';
import { toErrorResponse } from '@bff/errors';
import type { SessionService, SessionStore, UserSessions } from '@bff/session';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from 'jose';
import { IdpUnavailableError, InvalidLogoutTokenError } from './auth.errors';
import { BackchannelLogoutService } from './backchannel-logout.service';
import type { OidcClient } from './oidc-client';

const ISSUER = 'https://idp.example';
const CLIENT_ID = 'bff';
const LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';
const T0 = 1_700_000_000_000;
/** The one body every refusal renders, whatever failed. */
const REFUSED = { status: 400, body: { error: 'invalid_logout_token', message: 'The logout token was refused.' } };

let providerKey: CryptoKey;
let otherKey: CryptoKey;
/** The provider's published key set, held in a data: URL so that loading it needs no network. */
let jwksUri: string;

beforeAll(async () => {
  jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
  const pair = await generateKeyPair('ES256');
  providerKey = pair.privateKey;
  otherKey = (await generateKeyPair('ES256')).privateKey;
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
  jwksUri = `data:application/json,${encodeURIComponent(JSON.stringify({ keys: [jwk] }))}`;
});

/** A logout token as the provider would send it, with `claims` added (undefined removes one). */
async function logoutToken(claims: Record<string, unknown> = {}, key: CryptoKey = providerKey): Promise<string> {
  const payload: JWTPayload = {
    iss: ISSUER,
    aud: CLIENT_ID,
    iat: Math.floor(T0 / 1000),
    jti: `jti-${String(Math.random())}`,
    sub: 'alice',
    sid: 'idp-sid',
    events: { [LOGOUT_EVENT]: {} },
  };
  for (const [name, value] of Object.entries(claims)) {
    if (value === undefined) Reflect.deleteProperty(payload, name);
    else payload[name] = value;
  }
  return new SignJWT(payload).setProtectedHeader({ alg: 'ES256', kid: 'k1', typ: 'logout+jwt' }).sign(key);
}

function setup(keys = jwksUri) {
  const ended: string[] = [];
  const index: Pick<SessionStore, 'idsBySid'> = {
    idsBySid: (sid) => Promise.resolve(sid === 'idp-sid' ? ['s1', 's2'] : []),
  };
  const sessions: Pick<SessionService, 'endById'> = {
    endById: (id) => {
      ended.push(id);
      return Promise.resolve();
    },
  };
  // Ending all of a user's sessions (and their sid index entries) is UserSessions' own, tested there.
  const userSessions: Pick<UserSessions, 'endAll'> = {
    endAll: (sub) => {
      const ids = sub === 'alice' ? ['s1', 's2', 's3'] : [];
      ended.push(...ids);
      return Promise.resolve(ids.length);
    },
  };
  const claimed = new Set<string>();
  const usedJtis: SingleUseGuard = {
    claim: (key) => Promise.resolve(!claimed.has(key) && Boolean(claimed.add(key))),
  };
  const config = Object.assign(new OidcConfig(), { issuer: ISSUER, clientId: CLIENT_ID, httpTimeoutMs: 1000 });
  const service = new BackchannelLogoutService(
    { metadata: { jwks_uri: keys } } as unknown as OidcClient,
    config,
    sessions as SessionService,
    index as SessionStore,
    usedJtis,
    userSessions as UserSessions,
  );
  let now = T0;
  service.now = () => now;
  const advance = (ms: number) => (now += ms);
  return { service, ended, advance };
}

/** The refusal a logout token met; fails the test when it was accepted. */
async function refusalOf(attempt: Promise<unknown>): Promise<InvalidLogoutTokenError> {
  const error = await attempt.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(InvalidLogoutTokenError);
  return error as InvalidLogoutTokenError;
}

/** Which check refused: the service's own reason, or the claim jose's verification named. */
function failedCheck(error: InvalidLogoutTokenError): string {
  const jose = (error.cause as Error).cause as { code?: string; claim?: string } | undefined;
  return jose ? `${String(jose.code)} ${jose.claim ?? ''}`.trim() : error.reason;
}

describe('BackchannelLogoutService', () => {
  it('ends every session of the sid a valid logout token names', async () => {
    const { service, ended } = setup();
    await expect(service.logout(await logoutToken())).resolves.toBe(2);
    expect(ended).toEqual(['s1', 's2']);
  });

  it('ends every session of the sub when the token names no sid', async () => {
    const { service, ended } = setup();
    await expect(service.logout(await logoutToken({ sid: undefined }))).resolves.toBe(3);
    expect(ended).toEqual(['s1', 's2', 's3']);
  });

  it.each<[string, () => Promise<string>, string]>([
    [
      'signed by a key the provider does not publish',
      () => logoutToken({}, otherKey),
      'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
    ],
    ['with no signature (alg none)', () => unsigned(), 'ERR_JOSE_NOT_SUPPORTED'],
    ['from another issuer', () => logoutToken({ iss: 'https://evil.example' }), 'ERR_JWT_CLAIM_VALIDATION_FAILED iss'],
    ['for another audience', () => logoutToken({ aud: 'other-client' }), 'ERR_JWT_CLAIM_VALIDATION_FAILED aud'],
    ['without iat', () => logoutToken({ iat: undefined }), 'ERR_JWT_CLAIM_VALIDATION_FAILED iat'],
    ['without jti', () => logoutToken({ jti: undefined }), 'ERR_JWT_CLAIM_VALIDATION_FAILED jti'],
    ['without the events claim', () => logoutToken({ events: undefined }), 'no back-channel logout event'],
    ['whose events lack the back-channel logout event', () => otherEvent(), 'no back-channel logout event'],
    [
      'whose back-channel event is null',
      () => logoutToken({ events: { [LOGOUT_EVENT]: null } }),
      'no back-channel logout event',
    ],
    [
      'whose back-channel event is a string',
      () => logoutToken({ events: { [LOGOUT_EVENT]: 'x' } }),
      'no back-channel logout event',
    ],
    ['carrying a nonce', () => logoutToken({ nonce: 'n' }), 'a nonce is present'],
    ['naming neither sid nor sub', () => logoutToken({ sid: undefined, sub: undefined }), 'neither sid nor sub'],
  ])('refuses a logout token %s, with the one refusal body', async (_label, token, check) => {
    const { service, ended } = setup();
    const error = await refusalOf(service.logout(await token()));
    expect(failedCheck(error)).toBe(check);
    expect(toErrorResponse(error)).toEqual(REFUSED);
    expect(ended).toEqual([]);
  });

  it.each([
    ['missing', undefined],
    ['not a single value', ['a', 'b']],
    ['empty', ''],
    ['longer than 8192 characters', 'x'.repeat(8193)],
  ])('refuses a logout_token parameter that is %s, with the one refusal body', async (_label, value) => {
    const { service } = setup();
    expect(toErrorResponse(await refusalOf(service.logout(value)))).toEqual(REFUSED);
  });

  it('accepts a token up to five minutes old and refuses it past that and the minute of clock skew', async () => {
    const token = await logoutToken();
    const fresh = setup();
    fresh.advance(300_000);
    await expect(fresh.service.logout(token)).resolves.toBe(2);
    const old = setup();
    old.advance(361_000);
    const error = await refusalOf(old.service.logout(token));
    expect(failedCheck(error)).toBe('ERR_JWT_EXPIRED iat');
    expect(toErrorResponse(error)).toEqual(REFUSED);
    expect(old.ended).toEqual([]);
  });

  it('uses a jti once: the same logout token sent again is refused', async () => {
    const { service, ended } = setup();
    const token = await logoutToken();
    await service.logout(token);
    const error = await refusalOf(service.logout(token));
    expect(failedCheck(error)).toBe('jti already used');
    expect(toErrorResponse(error)).toEqual(REFUSED);
    expect(ended).toEqual(['s1', 's2']);
  });

  it("answers 503, not a refusal, when the provider's keys cannot be loaded", async () => {
    const { service, ended } = setup('data:application/json,not-a-key-set');
    await expect(service.logout(await logoutToken())).rejects.toBeInstanceOf(IdpUnavailableError);
    expect(ended).toEqual([]);
  });
});

/** A token whose `events` holds only some other event. */
const otherEvent = () => logoutToken({ events: { 'https://example.com/other-event': {} } });

/** A well-formed token with `alg: none` and an empty signature. */
async function unsigned(): Promise<string> {
  const [, payload] = (await logoutToken()).split('.');
  return `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'logout+jwt' })).toString('base64url')}.${String(payload)}.`;
}
