import { createRemoteJWKSet, errors, jwtVerify } from 'jose';
import type { JWTPayload, JWTVerifyGetKey } from 'jose';
import { IdpUnavailableError, InvalidTokenError } from './demo-api.errors';

export interface AccessTokenVerifierOptions {
  issuer: string;
  /** Bound on each discovery and JWKS request, in milliseconds. */
  timeoutMs: number;
}

/**
 * Verifies a JWT as an access token for `audience` (each route of the API names the one it
 * serves) and returns the token's payload.
 */
export type VerifyAccessToken = (token: string, audience: string) => Promise<JWTPayload>;

/**
 * Creates a verifier for JWT access tokens (RFC 9068) of one issuer, for any of its audiences.
 * The issuer's discovery document is fetched on first use and cached, one for all audiences; a
 * failed discovery is retried on the next request.
 */
export function createAccessTokenVerifier(o: AccessTokenVerifierOptions): VerifyAccessToken {
  let jwks: Promise<JWTVerifyGetKey> | undefined;
  const loadJwks = (): Promise<JWTVerifyGetKey> =>
    (jwks ??= discoverJwks(o).catch((err: unknown) => {
      jwks = undefined;
      throw err;
    }));

  const getKey: JWTVerifyGetKey = async (header, token) => {
    const remote = await loadJwks();
    try {
      return await remote(header, token);
    } catch (err) {
      if (isTokenKeyError(err)) throw err;
      throw new IdpUnavailableError('the issuer JWKS could not be fetched', { cause: err });
    }
  };

  return async (token, audience) => {
    try {
      const { payload } = await jwtVerify(token, getKey, {
        issuer: o.issuer,
        audience,
        // RFC 9068 §4: the resource server must check the access-token type, so an
        // ID token or other JWT signed by the same issuer is not accepted.
        typ: 'at+jwt',
        requiredClaims: ['sub', 'exp'],
      });
      return payload;
    } catch (err) {
      throw toVerifyError(err);
    }
  };
}

async function discoverJwks(o: AccessTokenVerifierOptions): Promise<JWTVerifyGetKey> {
  const url = `${o.issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
  let doc: unknown;
  try {
    const res = await fetch(url, {
      headers: { accept: 'application/json' },
      redirect: 'error',
      signal: AbortSignal.timeout(o.timeoutMs),
    });
    if (res.status !== 200) {
      await res.body?.cancel();
      throw new Error(`status ${res.status}`);
    }
    doc = await res.json();
  } catch (cause) {
    throw new IdpUnavailableError(`OIDC discovery at ${url} failed`, { cause });
  }
  const { issuer, jwks_uri: jwksUri } = (doc ?? {}) as { issuer?: unknown; jwks_uri?: unknown };
  if (issuer !== o.issuer) {
    throw new IdpUnavailableError(`OIDC discovery at ${url} names a different issuer`);
  }
  if (typeof jwksUri !== 'string' || !URL.canParse(jwksUri)) {
    throw new IdpUnavailableError(`OIDC discovery at ${url} has no valid jwks_uri`);
  }
  return createRemoteJWKSet(new URL(jwksUri), { timeoutDuration: o.timeoutMs });
}

/** Errors of key selection that are the token's fault rather than the JWKS endpoint's. */
function isTokenKeyError(err: unknown): boolean {
  return (
    err instanceof errors.JWKSNoMatchingKey ||
    err instanceof errors.JWKSMultipleMatchingKeys ||
    err instanceof errors.JOSENotSupported
  );
}

function toVerifyError(err: unknown): unknown {
  if (err instanceof IdpUnavailableError) return err;
  if (err instanceof errors.JWTExpired) {
    return new InvalidTokenError('the access token has expired', { cause: err });
  }
  if (err instanceof errors.JWTClaimValidationFailed) {
    return new InvalidTokenError(`the access token's "${err.claim}" claim is invalid`, {
      cause: err,
    });
  }
  if (err instanceof errors.JOSEError) {
    return new InvalidTokenError('the access token could not be verified', { cause: err });
  }
  return err;
}
