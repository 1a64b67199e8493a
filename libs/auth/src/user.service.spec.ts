import type { OpenedSession, RequestSessions } from '@bff/session';
import { createTicket } from '@bff/session';
import { InvalidSlideError } from './auth.errors';
import { parseSlide, UserService } from './user.service';

function session(record: Partial<OpenedSession['record']> = {}, expiresAt = Date.UTC(2026, 0, 1, 12, 30)) {
  return {
    ticket: createTicket(),
    expiresAt,
    record: {
      v: 1,
      sub: 'alice',
      claims: { sub: 'alice', name: 'Alice' },
      tokens: { accessToken: 'at', idToken: 'it', tokenType: 'bearer' },
      createdAt: Date.UTC(2026, 0, 1, 12),
      absoluteExpiresAt: Date.UTC(2026, 0, 1, 20),
      logoutSid: 'logout-sid',
      ...record,
    },
  } as OpenedSession;
}

describe('parseSlide', () => {
  it('slides when absent or true, reads only when false', () => {
    expect(parseSlide(undefined)).toBe(true);
    expect(parseSlide('true')).toBe(true);
    expect(parseSlide('false')).toBe(false);
  });

  it.each([[''], ['0'], ['no'], ['FALSE'], ['False'], ['false '], [['false', 'false']], [{ a: 1 }]])(
    'refuses slide=%j with 400 invalid_slide',
    (value) => {
      expect(() => parseSlide(value)).toThrow(InvalidSlideError);
      expect(new InvalidSlideError()).toMatchObject({ status: 400, code: 'invalid_slide' });
    },
  );
});

describe('UserService', () => {
  it('opens the session without sliding it for slide=false, and with sliding otherwise', async () => {
    const require = jest.fn((_request: unknown, _options?: unknown) => Promise.resolve(session()));
    const users = new UserService({ require } as unknown as RequestSessions);
    await users.current({ headers: {} }, 'false');
    await users.current({ headers: {} }, undefined);
    expect(require.mock.calls.map(([, options]) => options)).toEqual([{ slide: false }, { slide: true }]);
    await expect(users.current({ headers: {} }, 'yes')).rejects.toBeInstanceOf(InvalidSlideError);
    expect(require).toHaveBeenCalledTimes(2);
  });

  it('describes idle and absolute expiry and how the user authenticated, in ISO-8601 UTC', () => {
    const users = new UserService({} as RequestSessions);
    const info = users.describe(session({ acr: 'urn:mfa', amr: ['pwd', 'otp'], authTime: 1_767_268_800 }));
    expect(info).toEqual({
      sub: 'alice',
      claims: { sub: 'alice', name: 'Alice' },
      sessionExpiresAt: '2026-01-01T12:30:00.000Z',
      idleExpiresAt: '2026-01-01T12:30:00.000Z',
      absoluteExpiresAt: '2026-01-01T20:00:00.000Z',
      acr: 'urn:mfa',
      amr: ['pwd', 'otp'],
      authTime: '2026-01-01T12:00:00.000Z',
      logoutUrl: '/auth/logout?sid=logout-sid',
    });
  });

  it('leaves out what the ID token did not say, and reads a record sealed before these fields from its claims', () => {
    const users = new UserService({} as RequestSessions);
    expect(Object.keys(users.describe(session()))).not.toEqual(expect.arrayContaining(['acr']));
    const info = users.describe(session({ claims: { sub: 'alice', acr: '1', amr: 'pwd', auth_time: 'soon' } }));
    expect(info.acr).toBe('1');
    expect(info).not.toHaveProperty('amr');
    expect(info).not.toHaveProperty('authTime');
  });
});
