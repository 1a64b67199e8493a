import type * as oidc from 'openid-client';

/** What a route's token is asked for with: RFC 8707 `resource`, `audience`, `scope`. */
export interface TokenTarget {
  audience?: string;
  resource?: string;
  scope?: string;
}

/** The OAuth grant type of RFC 8693 token exchange. */
export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
export const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';

export function targetParameters(target: TokenTarget): Record<string, string> {
  const parameters: Record<string, string> = {};
  if (target.audience !== undefined) parameters.audience = target.audience;
  if (target.resource !== undefined) parameters.resource = target.resource;
  if (target.scope !== undefined) parameters.scope = target.scope;
  return parameters;
}

/** What a successful code exchange or refresh yields. */
export interface TokenSet {
  accessToken: string;
  accessTokenExpiresAt?: number;
  accessTokenIssuedAt: number;
  refreshToken?: string;
  idToken?: string;
  tokenType: string;
  scope?: string;
  /** Validated ID token claims, when an ID token came back. */
  claims?: Record<string, unknown>;
}

/** openid-client lowercases `token_type`; the session keeps the RFC's spelling (`DPoP`, `Bearer`). */
function tokenTypeOf(type: string): string {
  if (type === 'dpop') return 'DPoP';
  if (type === 'bearer') return 'Bearer';
  return type;
}

export function toTokenSet(
  response: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers,
  now: number,
): TokenSet {
  const expiresIn = response.expiresIn();
  return {
    accessToken: response.access_token,
    accessTokenExpiresAt: expiresIn === undefined ? undefined : now + expiresIn * 1000,
    accessTokenIssuedAt: now,
    refreshToken: response.refresh_token,
    idToken: response.id_token,
    tokenType: tokenTypeOf(response.token_type),
    scope: response.scope,
    claims: response.claims(),
  };
}
