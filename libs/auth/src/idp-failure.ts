import * as oidc from 'openid-client';
import { IdpBadResponseError, IdpUnavailableError } from './auth.errors';

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
]);

/** Walks the cause chain by shape, not `instanceof`: fetch's errors may come from another realm. */
function isNetworkFailure(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; typeof current === 'object' && current !== null && depth < 5; depth++) {
    const { name, code, message, cause } = current as {
      name?: unknown;
      code?: unknown;
      message?: unknown;
      cause?: unknown;
    };
    if (name === 'TimeoutError' || name === 'AbortError') return true;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
    if (name === 'TypeError' && message === 'fetch failed') return true;
    current = cause;
  }
  return false;
}

function serverErrorStatus(error: unknown): number | undefined {
  const cause = (error as { cause?: unknown }).cause;
  return cause instanceof Response && cause.status >= 500 ? cause.status : undefined;
}

/**
 * Sorts a failed call to the OpenID Provider: an OAuth error answer (`invalid_grant`,
 * ...) is the IdP refusing, returned as `{ rejected }` for the caller to judge;
 * a network failure or timeout is 503; a 5xx or malformed answer is 502. Anything
 * else (failed ID token validation, ...) is returned as `{ invalid }`.
 */
export function classifyIdpFailure(
  error: unknown,
): { rejected: string } | { invalid: unknown } | { unavailable: IdpUnavailableError | IdpBadResponseError } {
  if (error instanceof oidc.ResponseBodyError) {
    return error.status >= 500 ? { unavailable: new IdpBadResponseError(error) } : { rejected: error.error };
  }
  if (error instanceof oidc.AuthorizationResponseError) return { rejected: error.error };
  // A 401 to client_secret_basic carries `WWW-Authenticate: Basic error="invalid_client"`; openid-client
  // then throws the challenge, not the body, and the refusal is in the challenge's parameters.
  if (error instanceof oidc.WWWAuthenticateChallengeError) {
    const named = error.cause.map((challenge) => challenge.parameters.error).find((value) => value !== undefined);
    if (named !== undefined) return { rejected: named };
  }
  if (isNetworkFailure(error)) return { unavailable: new IdpUnavailableError(error) };
  if (serverErrorStatus(error) !== undefined) return { unavailable: new IdpBadResponseError(error) };
  const code = (error as { code?: unknown }).code;
  if (code === 'OAUTH_RESPONSE_IS_NOT_CONFORM' || code === 'OAUTH_RESPONSE_IS_NOT_JSON') {
    return { unavailable: new IdpBadResponseError(error) };
  }
  return { invalid: error };
}
