import { needsRefresh } from './token-freshness';

const base = { accessToken: 'a', idToken: 'i', tokenType: 'bearer' };

describe('needsRefresh', () => {
  it('refreshes within the skew before expiry', () => {
    const tokens = { ...base, accessTokenIssuedAt: 0, accessTokenExpiresAt: 3_600_000 };
    expect(needsRefresh(tokens, 3_600_000 - 61_000, 60_000)).toBe(false);
    expect(needsRefresh(tokens, 3_600_000 - 59_000, 60_000)).toBe(true);
    expect(needsRefresh(tokens, 3_700_000, 60_000)).toBe(true);
  });

  it('caps the skew at half the lifetime, so short tokens are not refreshed on every request', () => {
    const tokens = { ...base, accessTokenIssuedAt: 0, accessTokenExpiresAt: 30_000 };
    expect(needsRefresh(tokens, 1_000, 60_000)).toBe(false);
    expect(needsRefresh(tokens, 14_000, 60_000)).toBe(false);
    expect(needsRefresh(tokens, 16_000, 60_000)).toBe(true);
  });

  it('leaves a token without a known expiry alone', () => {
    expect(needsRefresh(base, Date.now(), 60_000)).toBe(false);
  });
});
