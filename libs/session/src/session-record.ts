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
  /** Unguessable value for `/auth/logout?sid=`; never the session id. */
  logoutToken: string;
}
