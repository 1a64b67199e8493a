import { InvalidTokenError } from './demo-api.errors';

/** An access token as the request presented it. */
export interface PresentedToken {
  /** `DPoP` for a sender-constrained presentation (RFC 9449 §7.1), else `Bearer` (RFC 6750). */
  scheme: 'Bearer' | 'DPoP';
  token: string;
}

// RFC 6750 §2.1 and RFC 9449 §7.1: b64token / token68 syntax; scheme names are case-insensitive.
const AUTHORIZATION = /^(Bearer|DPoP) +([A-Za-z0-9\-._~+/]+=*) *$/i;

/** Reads `Authorization: Bearer <token>` or `Authorization: DPoP <token>`. */
export function readAuthorization(authorization: string | undefined): PresentedToken {
  const match = authorization === undefined ? null : AUTHORIZATION.exec(authorization);
  if (!match?.[1] || !match[2]) {
    throw new InvalidTokenError('a bearer access token is required');
  }
  return { scheme: match[1].toLowerCase() === 'dpop' ? 'DPoP' : 'Bearer', token: match[2] };
}
