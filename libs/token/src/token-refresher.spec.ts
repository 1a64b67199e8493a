import { Logger } from '@nestjs/common';
import { IdpUnavailableError, type OidcClient, type TokenSet } from '@bff/auth';
import { TokenConfig } from '@bff/config';
import { SessionRequiredError } from '@bff/errors';
import { BffMetrics } from '@bff/metrics';
import type { OpenedSession, SessionRecord, SessionService, SessionTokens } from '@bff/session';
import { ClientError, ResponseBodyError } from 'openid-client';
import type { HeldLock, RefreshLock } from './refresh-lock';
import { refreshLockKey, TokenRefresher } from './token-refresher';
import { RefreshLockTimeoutError, RefreshRejectedError } from './token.errors';

const T0 = 1_700_000_000_000;
const HOUR = 3_600_000;

/** The sessions as the store holds them: what `reload` sees after the lock is taken. */
class FakeSessions {
  readonly records = new Map<string, SessionRecord>();

  reload(ticket: OpenedSession['ticket']): Promise<OpenedSession | undefined> {
    const record = this.records.get(ticket.id);
    return Promise.resolve(record && { ticket, record, expiresAt: T0 + HOUR });
  }

  saveTokens(session: OpenedSession, tokens: SessionTokens): Promise<boolean> {
    if (!this.records.has(session.ticket.id)) return Promise.resolve(false);
    session.record = { ...session.record, tokens };
    this.records.set(session.ticket.id, session.record);
    return Promise.resolve(true);
  }

  end(session: OpenedSession): Promise<void> {
    this.records.delete(session.ticket.id);
    return Promise.resolve();
  }
}

/** One holder per key; a key held elsewhere is a wait that ran out, answered at once. */
class MemoryLock implements RefreshLock {
  readonly held = new Set<string>();
  readonly requests: { key: string; leaseMs: number; waitMs: number }[] = [];

  acquire(key: string, leaseMs: number, waitMs: number): Promise<HeldLock | undefined> {
    this.requests.push({ key, leaseMs, waitMs });
    if (this.held.has(key)) return Promise.resolve(undefined);
    this.held.add(key);
    const release = () => Promise.resolve(void this.held.delete(key));
    return Promise.resolve({ release });
  }
}

/** The token endpoint: records the refresh tokens it is sent and answers as the test says. */
class FakeTokenEndpoint {
  readonly received: string[] = [];
  answer: (refreshToken: string) => Promise<TokenSet> = () => Promise.resolve(issued('at-2', 'rt-2'));

  refresh(refreshToken: string): Promise<TokenSet> {
    this.received.push(refreshToken);
    return this.answer(refreshToken);
  }
}

const issued = (accessToken: string, refreshToken?: string): TokenSet => ({
  accessToken,
  refreshToken,
  accessTokenIssuedAt: T0,
  accessTokenExpiresAt: T0 + HOUR,
  tokenType: 'bearer',
});

const tokens = (lifetimeMs: number, refreshToken = 'rt-1', accessToken = 'at-1'): SessionTokens => ({
  ...issued(accessToken, refreshToken),
  accessTokenExpiresAt: T0 + lifetimeMs,
  idToken: 'id-1',
});

/** An OAuth error body from the token endpoint, as openid-client reports it. */
const oauthError = (error: string, status: number): ResponseBodyError =>
  new ResponseBodyError('server responded with an error in the response body', {
    cause: { error },
    response: new Response(null, { status }),
  });

/** A failure openid-client reports as a ClientError: a non-OAuth answer (cause: the Response), a timeout, ... */
const clientError = (code: string, cause: unknown): ClientError =>
  Object.assign(new ClientError(code, { cause }), { code });

const metrics = new BffMetrics();

function setup(sessionTokens: SessionTokens = tokens(HOUR)) {
  const sessions = new FakeSessions();
  const lock = new MemoryLock();
  const idp = new FakeTokenEndpoint();
  const config = Object.assign(new TokenConfig(), { refreshSkewSeconds: 60 });
  const refresher = new TokenRefresher(
    sessions as unknown as SessionService,
    idp as unknown as OidcClient,
    lock,
    config,
    metrics,
  );
  let now = T0;
  refresher.now = () => now;
  const record = { sub: 'alice', sid: 'idp-sid', claims: {}, tokens: sessionTokens } as SessionRecord;
  const ticket = { id: 'session-1', secret: Buffer.alloc(32) };
  sessions.records.set(ticket.id, record);
  const session: OpenedSession = { ticket, record, expiresAt: T0 + HOUR };
  const setNow = (ms: number) => (now = ms);
  return { refresher, sessions, lock, idp, session, config, setNow };
}

/** A setup whose one-hour token has 30 seconds left: inside the 60-second skew. */
function expiringSoon(sessionTokens: SessionTokens = tokens(HOUR)) {
  const context = setup(sessionTokens);
  context.setNow(T0 + HOUR - 30_000);
  return context;
}

beforeAll(() => {
  jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
  jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
});

describe('TokenRefresher.ensureFresh', () => {
  it('uses a fresh access token as it is, without the lock or the token endpoint', async () => {
    const { refresher, idp, lock, session, setNow } = setup();
    setNow(T0 + HOUR / 2);
    await expect(refresher.ensureFresh(session)).resolves.toBe(session);
    expect(idp.received).toEqual([]);
    expect(lock.requests).toEqual([]);
  });

  it('says isFresh exactly when ensureFresh would hand the session back unchanged', async () => {
    for (const [lifetime, left] of [
      [HOUR, 61_000],
      [HOUR, 59_000],
      [30_000, 16_000],
      [30_000, 14_000],
    ] as const) {
      const { refresher, session, setNow } = setup(tokens(lifetime));
      setNow(T0 + lifetime - left);
      const fresh = refresher.isFresh(session);
      expect(fresh).toBe(left > Math.min(60_000, lifetime / 2));
      expect((await refresher.ensureFresh(session)) === session).toBe(fresh);
    }
  });

  it.each([
    ['a one-hour token with 61 s left (the skew bounds)', 'used as is', HOUR, 61_000],
    ['a one-hour token with 59 s left (the skew bounds)', 'refreshed', HOUR, 59_000],
    ['a 30 s token with 16 s left (half its lifetime bounds)', 'used as is', 30_000, 16_000],
    ['a 30 s token with 14 s left (half its lifetime bounds)', 'refreshed', 30_000, 14_000],
  ])('refreshes only below min(skew, half the lifetime): %s → %s', async (_label, outcome, lifetime, left) => {
    const { refresher, idp, session, setNow } = setup(tokens(lifetime));
    setNow(T0 + lifetime - left);
    await refresher.ensureFresh(session);
    expect(idp.received).toHaveLength(outcome === 'refreshed' ? 1 : 0);
  });

  it('shares one in-flight refresh between concurrent calls for one session (single flight)', async () => {
    const { refresher, idp, lock, session } = expiringSoon();
    let answer: (value: TokenSet) => void = () => undefined;
    idp.answer = () => new Promise((resolve) => (answer = resolve));
    const first = refresher.ensureFresh(session);
    const second = refresher.ensureFresh({ ...session });
    await new Promise(setImmediate);
    answer(issued('at-2', 'rt-2'));
    const results = await Promise.all([first, second]);
    expect(results.map((result) => result.record.tokens.accessToken)).toEqual(['at-2', 'at-2']);
    expect(idp.received).toEqual(['rt-1']);
    expect(lock.requests).toHaveLength(1);
  });

  it('takes the per-session lock with the configured lease and wait', async () => {
    const { refresher, lock, session, config } = expiringSoon();
    await refresher.ensureFresh(session);
    expect(lock.requests).toEqual([
      { key: refreshLockKey(session.ticket.id), leaseMs: config.lockLeaseMs, waitMs: config.lockWaitMs },
    ]);
  });

  it("re-reads the session under the lock and uses another instance's refresh instead of calling the IdP", async () => {
    const { refresher, sessions, idp, session } = expiringSoon();
    sessions.records.set(session.ticket.id, { ...session.record, tokens: tokens(2 * HOUR, 'rt-9', 'at-other') });
    const result = await refresher.ensureFresh(session);
    expect(result.record.tokens.accessToken).toBe('at-other');
    expect(idp.received).toEqual([]);
  });

  it('answers the typed 503 and keeps the session when the lock cannot be taken within the wait', async () => {
    const { refresher, sessions, lock, idp, session } = expiringSoon();
    lock.held.add(refreshLockKey(session.ticket.id));
    const refusal = refresher.ensureFresh(session);
    await expect(refusal).rejects.toBeInstanceOf(RefreshLockTimeoutError);
    await expect(refusal).rejects.toMatchObject({ status: 503, code: 'refresh_in_progress' });
    expect(sessions.records.has(session.ticket.id)).toBe(true);
    expect(idp.received).toEqual([]);
  });

  it('uses the tokens the lock holder stored when its wait runs out just as the holder finishes', async () => {
    const { refresher, sessions, lock, idp, session } = expiringSoon();
    lock.held.add(refreshLockKey(session.ticket.id));
    sessions.records.set(session.ticket.id, { ...session.record, tokens: tokens(2 * HOUR, 'rt-9', 'at-holder') });
    await expect(refresher.ensureFresh(session)).resolves.toMatchObject({
      record: { tokens: { accessToken: 'at-holder' } },
    });
    expect(idp.received).toEqual([]);
  });

  it('does not bring back a session that ended while it waited for the lock (401)', async () => {
    const { refresher, sessions, idp, session } = expiringSoon();
    sessions.records.delete(session.ticket.id);
    await expect(refresher.ensureFresh(session)).rejects.toBeInstanceOf(SessionRequiredError);
    expect(sessions.records.has(session.ticket.id)).toBe(false);
    expect(idp.received).toEqual([]);
  });

  it('ends a session that has no refresh token, without calling the IdP (401 session_expired)', async () => {
    const { refresher, sessions, idp, session } = expiringSoon({ ...tokens(HOUR), refreshToken: undefined });
    await expect(refresher.ensureFresh(session)).rejects.toMatchObject({ status: 401, code: 'session_expired' });
    expect(sessions.records.has(session.ticket.id)).toBe(false);
    expect(idp.received).toEqual([]);
  });

  it.each(['invalid_grant', 'invalid_client'])('ends the session when the IdP answers %s (401)', async (error) => {
    const { refresher, sessions, lock, idp, session } = expiringSoon();
    idp.answer = () => Promise.reject(oauthError(error, error === 'invalid_client' ? 401 : 400));
    const refusal = refresher.ensureFresh(session);
    await expect(refusal).rejects.toBeInstanceOf(RefreshRejectedError);
    await expect(refusal).rejects.toMatchObject({ status: 401, code: 'session_expired' });
    expect(sessions.records.has(session.ticket.id)).toBe(false);
    expect(lock.held.size).toBe(0);
  });

  it.each([
    ['a 5xx OAuth error body', () => oauthError('server_error', 500)],
    [
      'a 502 without an OAuth body',
      () => clientError('OAUTH_RESPONSE_IS_NOT_CONFORM', new Response('', { status: 502 })),
    ],
    ['a timeout', () => clientError('OAUTH_TIMEOUT', new DOMException('timed out', 'TimeoutError'))],
    ['a refused connection', () => new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } })],
    ['an OAuth error other than invalid_grant/invalid_client', () => oauthError('invalid_scope', 400)],
  ])('keeps the session and its tokens when the IdP fails with %s (503)', async (_label, failure) => {
    const { refresher, sessions, lock, idp, session } = expiringSoon();
    idp.answer = () => Promise.reject(failure());
    const refusal = refresher.ensureFresh(session);
    await expect(refusal).rejects.toBeInstanceOf(IdpUnavailableError);
    await expect(refusal).rejects.toMatchObject({ status: 503 });
    expect(sessions.records.get(session.ticket.id)?.tokens).toEqual(tokens(HOUR));
    expect(lock.held.size).toBe(0);
  });

  it('stores the rotated refresh token with the new access token, and releases the lock', async () => {
    const { refresher, sessions, lock, idp, session } = expiringSoon();
    idp.answer = () => Promise.resolve(issued('at-2', 'rt-2'));
    const result = await refresher.ensureFresh(session);
    expect(idp.received).toEqual(['rt-1']);
    expect(sessions.records.get(session.ticket.id)?.tokens).toMatchObject({
      accessToken: 'at-2',
      refreshToken: 'rt-2',
    });
    expect(result.record.tokens.accessToken).toBe('at-2');
    expect(lock.held.size).toBe(0);
  });

  it('keeps the current refresh token when the IdP does not rotate it', async () => {
    const { refresher, sessions, idp, session } = expiringSoon();
    idp.answer = () => Promise.resolve(issued('at-2'));
    await refresher.ensureFresh(session);
    expect(sessions.records.get(session.ticket.id)?.tokens).toMatchObject({
      accessToken: 'at-2',
      refreshToken: 'rt-1',
    });
  });
});
