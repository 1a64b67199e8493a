import { parseUser } from './bff-user.js';
import { BffInvalidResponseError } from './errors.js';
import { jsonResponse } from './testing/fake-browser.js';
import { ALICE, openPage } from './testing/fake-page.js';

const STATUS = {
  idleExpiresAt: '2030-01-01T00:30:00.000Z',
  absoluteExpiresAt: '2030-01-01T08:00:00.000Z',
  acr: 'urn:example:mfa',
  amr: ['pwd', 'otp'],
  authTime: 1893456000,
};

describe('parseUser()', () => {
  it('reads the session status fields', () => {
    expect(parseUser('/auth/user', { ...ALICE, ...STATUS })).toEqual({ ...ALICE, ...STATUS });
  });

  it('leaves them out when an older BFF does not send them', () => {
    const user = parseUser('/auth/user', ALICE);
    expect(user).toEqual(ALICE);
    expect('idleExpiresAt' in user).toBe(false);
  });

  it('reads an authTime given as an ISO-8601 timestamp as the same instant in seconds', () => {
    expect(parseUser('/auth/user', { ...ALICE, authTime: '2030-01-01T00:00:00.000Z' }).authTime).toBe(1893456000);
  });

  it.each([
    ['idleExpiresAt that is no timestamp', { idleExpiresAt: 'soon' }],
    ['absoluteExpiresAt that is a number', { absoluteExpiresAt: 1893456000 }],
    ['an acr that is not a string', { acr: 2 }],
    ['an amr that is not a list of strings', { amr: ['pwd', 1] }],
    ['an amr that is a string', { amr: 'pwd' }],
    ['a negative authTime', { authTime: -1 }],
    ['an authTime that is not a time', { authTime: 'yesterday' }],
  ])('refuses %s', (_, fields) => {
    expect(() => parseUser('/auth/user', { ...ALICE, ...fields })).toThrow(BffInvalidResponseError);
  });
});

describe('bff.user({ slide })', () => {
  it('asks /auth/user?slide=false when told not to slide, and /auth/user otherwise', async () => {
    const { bff, requests } = openPage(() => jsonResponse(200, { ...ALICE, ...STATUS }));
    await expect(bff.user({ slide: false })).resolves.toMatchObject(STATUS);
    await bff.user({ slide: true });
    await bff.user();
    expect(requests.map((r) => [r.url, r.headers.get('x-csrf')])).toEqual([
      ['/auth/user?slide=false', '1'],
      ['/auth/user', '1'],
      ['/auth/user', '1'],
    ]);
  });
});
