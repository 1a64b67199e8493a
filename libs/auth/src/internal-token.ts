import { createHash, timingSafeEqual } from 'node:crypto';
import { InternalEndpointDisabledError, InternalTokenError } from './auth.errors';

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/**
 * The check every `/internal/*` endpoint makes: `Authorization: Bearer <BFF_INTERNAL_TOKEN>`.
 * With no token configured the endpoints do not exist (404 `not_found`); a missing or wrong
 * token is 401 `invalid_internal_token`. Returns the check for one configured token.
 */
export function internalTokenCheck(configured: string | undefined): (authorization: unknown) => void {
  const expected = configured === undefined ? undefined : digest(configured);
  return (authorization) => {
    if (!expected) throw new InternalEndpointDisabledError();
    const token =
      typeof authorization === 'string' && authorization.startsWith('Bearer ') ? authorization.slice(7) : '';
    // Comparing digests keeps the comparison constant-time whatever the token's length.
    if (!timingSafeEqual(digest(token), expected)) throw new InternalTokenError();
  };
}
