import { BffError } from '@bff/errors';

/**
 * A private DPoP key that cannot be used: a JWK of another type, curve or algorithm, members
 * that are missing or malformed, or public members that do not belong to the private key.
 * Its message names the check and never a key member's value. A server-side fault (500, not
 * exposed): the key comes from the server's own sealed storage, not from a client.
 */
export class DpopKeyError extends BffError {
  constructor(message: string) {
    super('invalid_dpop_key', 500, message, { expose: false });
  }
}

/**
 * Which check of RFC 9449 §4.3 a DPoP proof failed:
 * - `malformed`: not a compact JWS of two JSON objects, a required claim missing or mistyped;
 * - `typ`, `alg`, `jwk`, `signature`: the header's type, algorithm (outside the allow-list or
 *   not matching the key), embedded key (private members, unsupported or invalid), signature;
 * - `htm`, `htu`: another method or target URI;
 * - `nonce`: the server's nonce is required and missing or stale;
 * - `iat`: created outside the accepted window (too old or in the future);
 * - `ath`: not bound to the access token presented with it;
 * - `jkt`: signed by another key than the one the access token is bound to (`cnf.jkt`);
 * - `replay`: a `jti` already seen within the window.
 */
export type DpopProofFailure =
  'malformed' | 'typ' | 'alg' | 'jwk' | 'signature' | 'htm' | 'htu' | 'nonce' | 'iat' | 'ath' | 'jkt' | 'replay';

/** The `error` a resource server answers (RFC 9449 §7.1, §9) for a failed check. */
export type DpopErrorCode = 'invalid_dpop_proof' | 'use_dpop_nonce' | 'invalid_token';

/** The RFC 9449 error code for a failed check: the nonce asks for a retry, a key mismatch is the token's. */
export function dpopErrorCode(reason: DpopProofFailure): DpopErrorCode {
  if (reason === 'nonce') return 'use_dpop_nonce';
  if (reason === 'jkt') return 'invalid_token';
  return 'invalid_dpop_proof';
}

/**
 * A DPoP proof that failed verification (401). `reason` names the failed check; `code` is the
 * `error` of the `WWW-Authenticate: DPoP` challenge to answer with.
 */
export class DpopProofError extends BffError {
  declare readonly code: DpopErrorCode;

  constructor(
    readonly reason: DpopProofFailure,
    message: string,
  ) {
    super(dpopErrorCode(reason), 401, message);
  }
}
