import type { SessionTokens } from '@bff/session';

/**
 * True when the access token should be refreshed before use: less than
 * `min(skew, half its lifetime)` remains. Half the lifetime caps the skew so
 * that a token shorter-lived than the skew is not refreshed on every request.
 * A token without a known expiry is used as is (the upstream will say 401).
 */
export function needsRefresh(
  tokens: Pick<SessionTokens, 'accessToken' | 'accessTokenExpiresAt' | 'accessTokenIssuedAt'>,
  now: number,
  skewMs: number,
): boolean {
  const expiresAt = tokens.accessTokenExpiresAt;
  if (expiresAt === undefined) return false;
  const lifetime = tokens.accessTokenIssuedAt === undefined ? Infinity : expiresAt - tokens.accessTokenIssuedAt;
  return expiresAt - now < Math.min(skewMs, lifetime / 2);
}
