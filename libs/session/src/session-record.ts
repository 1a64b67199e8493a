import type { DpopPrivateJwk } from '@bff/dpop';

/** Tokens of one login. Never leave the server. */
export interface SessionTokens {
  accessToken: string;
  /** Epoch milliseconds; undefined when the provider gave no `expires_in`. */
  accessTokenExpiresAt?: number;
  /** Epoch milliseconds when the access token was obtained (its lifetime bounds the refresh skew). */
  accessTokenIssuedAt?: number;
  refreshToken?: string;
  idToken: string;
  tokenType: string;
  scope?: string;
}

/**
 * A token obtained for one route of this session (a token exchange), kept with
 * the issue time of the user token it was exchanged from: once the user token
 * is refreshed, the route's token is exchanged again.
 */
export interface RouteToken {
  accessToken: string;
  accessTokenExpiresAt?: number;
  accessTokenIssuedAt: number;
  /** `accessTokenIssuedAt` of the user token that was exchanged. */
  subjectIssuedAt?: number;
  /** `DPoP` when the provider bound the token to the session's DPoP key; `Bearer` (or absent) otherwise. */
  tokenType?: string;
}

/** What a session holds, sealed in the store. */
export interface SessionRecord {
  v: 1;
  sub: string;
  /** The IdP's session id (`sid` claim), for back-channel logout. */
  sid?: string;
  /** ID token claims as validated at login. */
  claims: Record<string, unknown>;
  tokens: SessionTokens;
  createdAt: number;
  absoluteExpiresAt: number;
  /**
   * Unguessable value for `/auth/logout?sid=` (the logout URL's `sid`, not the IdP's `sid`
   * above); never the session id.
   */
  logoutSid: string;
  /** How the user authenticated, from the latest ID token (see {@link authenticationOf}). */
  acr?: string;
  amr?: string[];
  /** The ID token's `auth_time`, epoch seconds. */
  authTime?: number;
  /** Tokens obtained for `exchange` routes, by route name. */
  routeTokens?: Record<string, RouteToken>;
  /**
   * The session's DPoP key (`OIDC_DPOP`), generated at login; sealed with the rest of the record,
   * never logged nor sent anywhere. Read it through `sessionDpopKey`.
   */
  dpopKey?: DpopPrivateJwk;
}

/** How the user authenticated: the ID token's `acr`, `amr` and `auth_time`, each only when well-formed. */
export type SessionAuthentication = Pick<SessionRecord, 'acr' | 'amr' | 'authTime'>;

/** Reads {@link SessionAuthentication} from ID token claims; a claim of the wrong type is left out. */
export function authenticationOf(claims: Record<string, unknown>): SessionAuthentication {
  const { acr, amr, auth_time: authTime } = claims;
  return {
    ...(typeof acr === 'string' ? { acr } : {}),
    ...(Array.isArray(amr) && amr.every((method) => typeof method === 'string') ? { amr } : {}),
    // Within what a Date can hold (±8.64e12 s), so it always renders as ISO-8601.
    ...(typeof authTime === 'number' && Number.isFinite(authTime) && Math.abs(authTime) <= 8.64e12 ? { authTime } : {}),
  };
}

/**
 * The claims of an ID token the provider has just returned from a refresh grant, which
 * openid-client validated before handing it over; undefined when it is not a JWT with a JSON
 * payload. Used only to keep {@link SessionAuthentication} current.
 */
export function idTokenClaims(idToken: string): Record<string, unknown> | undefined {
  const payload = idToken.split('.')[1];
  if (payload === undefined) return undefined;
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    return typeof claims === 'object' && claims !== null && !Array.isArray(claims)
      ? (claims as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A record as sealed before `logoutSid` got its name: it was `logoutToken`, which in OIDC
 * means the back-channel logout JWT. Such records live on in Redis for at most
 * `SESSION_ABSOLUTE_TIMEOUT_SECONDS` after the renaming version is deployed.
 */
type RecordSealedAsLogoutToken = Omit<SessionRecord, 'logoutSid'> & { logoutToken: string };

/**
 * The record of a session payload that has just been opened (authenticated, so written by this
 * BFF): a record sealed under the former name of `logoutSid` still opens, and is sealed
 * again under both names (see {@link sealableSessionRecord}) at its next token refresh.
 */
export function readSessionRecord(payload: unknown): SessionRecord {
  const record = payload as (SessionRecord & { logoutToken?: string }) | RecordSealedAsLogoutToken;
  if ('logoutSid' in record) {
    const { logoutToken: _former, ...current } = record;
    return current;
  }
  const { logoutToken, ...rest } = record;
  return { ...rest, logoutSid: logoutToken };
}

/**
 * What is sealed for a record: for one release also under the former name, so that instances
 * still on the previous version during a rolling deploy can log these sessions out (they read
 * only `logoutToken`). Remove once no previous version runs.
 */
export function sealableSessionRecord(record: SessionRecord): SessionRecord & { logoutToken: string } {
  return { ...record, logoutToken: record.logoutSid };
}
