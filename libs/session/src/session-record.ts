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
  /** Tokens obtained for `exchange` routes, by route name. */
  routeTokens?: Record<string, RouteToken>;
  /**
   * The session's DPoP key (`OIDC_DPOP`), generated at login; sealed with the rest of the record,
   * never logged nor sent anywhere. Read it through `sessionDpopKey`.
   */
  dpopKey?: DpopPrivateJwk;
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
