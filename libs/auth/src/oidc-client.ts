import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { OidcConfig, ServerConfig } from '@bff/config';
import * as oidc from 'openid-client';
import { IdpUnavailableError } from './auth.errors';

/** What a route's token is asked for with: RFC 8707 `resource`, `audience`, `scope`. */
export interface TokenTarget {
  audience?: string;
  resource?: string;
  scope?: string;
}

/** The OAuth grant type of RFC 8693 token exchange. */
export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';

function targetParameters(target: TokenTarget): Record<string, string> {
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

function toTokenSet(response: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers, now: number): TokenSet {
  const expiresIn = response.expiresIn();
  return {
    accessToken: response.access_token,
    accessTokenExpiresAt: expiresIn === undefined ? undefined : now + expiresIn * 1000,
    accessTokenIssuedAt: now,
    refreshToken: response.refresh_token,
    idToken: response.id_token,
    tokenType: response.token_type,
    scope: response.scope,
    claims: response.claims(),
  };
}

/**
 * The BFF as a confidential OpenID Connect client (openid-client 6). Discovers
 * the provider at boot with a timeout, and applies that timeout to every later
 * call. ID tokens from the token endpoint are signature-checked against the
 * provider's JWKS too (`enableNonRepudiationChecks`), as docs/security-model.md states.
 */
@Injectable()
export class OidcClient implements OnModuleInit {
  private readonly logger = new Logger(OidcClient.name);
  private configuration?: oidc.Configuration;
  readonly redirectUri: string;

  constructor(
    private readonly config: OidcConfig,
    server: ServerConfig,
  ) {
    this.redirectUri = `${server.publicUrl}/auth/callback`;
  }

  async onModuleInit(): Promise<void> {
    const execute = [oidc.enableNonRepudiationChecks];
    // http is accepted only for loopback issuers (checked in config); openid-client needs telling.
    if (this.config.issuer.startsWith('http:')) execute.push(oidc.allowInsecureRequests);
    try {
      this.configuration = await oidc.discovery(
        new URL(this.config.issuer),
        this.config.clientId,
        { redirect_uris: [this.redirectUri], response_types: ['code'] },
        oidc.ClientSecretBasic(this.config.clientSecret),
        { execute, timeout: this.config.httpTimeoutMs / 1000 },
      );
    } catch (error) {
      throw new Error(
        `Cannot use the OpenID Provider at ${this.config.issuer} (OIDC_ISSUER): discovery failed: ${(error as Error).message}`,
        { cause: error },
      );
    }
    this.logger.log(`discovered OpenID Provider ${this.config.issuer}`);
  }

  private get oidcConfig(): oidc.Configuration {
    if (!this.configuration) throw new IdpUnavailableError(new Error('OpenID Provider not discovered yet'));
    return this.configuration;
  }

  /** The provider's metadata as discovered. */
  get metadata(): oidc.ServerMetadata {
    return this.oidcConfig.serverMetadata();
  }

  buildAuthorizationUrl(params: { state: string; nonce: string; codeChallenge: string }): URL {
    return oidc.buildAuthorizationUrl(this.oidcConfig, {
      redirect_uri: this.redirectUri,
      scope: this.config.scopes,
      state: params.state,
      nonce: params.nonce,
      code_challenge: params.codeChallenge,
      code_challenge_method: 'S256',
    });
  }

  /** Validates the authorization response (state, iss) and exchanges the code; throws openid-client's errors. */
  async exchangeCode(
    callbackUrl: URL,
    checks: { state: string; nonce: string; codeVerifier: string },
  ): Promise<TokenSet> {
    const response = await oidc.authorizationCodeGrant(this.oidcConfig, callbackUrl, {
      expectedState: checks.state,
      expectedNonce: checks.nonce,
      pkceCodeVerifier: checks.codeVerifier,
      idTokenExpected: true,
    });
    return toTokenSet(response, Date.now());
  }

  /** A refresh; with `target`, the new access token is narrowed to it (RFC 8707 `resource`). */
  async refresh(refreshToken: string, target: TokenTarget = {}): Promise<TokenSet> {
    return toTokenSet(
      await oidc.refreshTokenGrant(this.oidcConfig, refreshToken, targetParameters(target)),
      Date.now(),
    );
  }

  /** The BFF's own token (client credentials grant), for `client` and `user-or-client` routes. */
  async clientCredentials(target: TokenTarget): Promise<TokenSet> {
    return toTokenSet(await oidc.clientCredentialsGrant(this.oidcConfig, targetParameters(target)), Date.now());
  }

  /** RFC 8693: the user's access token exchanged for one meant for `target`, for `exchange` routes. */
  async exchange(subjectToken: string, target: TokenTarget): Promise<TokenSet> {
    const response = await oidc.genericGrantRequest(this.oidcConfig, TOKEN_EXCHANGE_GRANT, {
      subject_token: subjectToken,
      subject_token_type: ACCESS_TOKEN_TYPE,
      requested_token_type: ACCESS_TOKEN_TYPE,
      ...targetParameters(target),
    });
    return toTokenSet(response, Date.now());
  }

  /** Grant types the provider's metadata lists (OIDC Discovery's default when it lists none). */
  get supportedGrantTypes(): ReadonlySet<string> {
    const listed = this.metadata.grant_types_supported;
    return new Set(Array.isArray(listed) ? listed : ['authorization_code', 'implicit']);
  }

  get supportsRevocation(): boolean {
    return typeof this.metadata.revocation_endpoint === 'string';
  }

  async revoke(token: string, hint: 'refresh_token' | 'access_token'): Promise<void> {
    await oidc.tokenRevocation(this.oidcConfig, token, { token_type_hint: hint });
  }

  /** The provider's end-session URL, or undefined when it has none. */
  endSessionUrl(idTokenHint: string | undefined): URL | undefined {
    if (typeof this.metadata.end_session_endpoint !== 'string') return undefined;
    const params: Record<string, string> = { post_logout_redirect_uri: this.config.postLogoutRedirectUri };
    if (idTokenHint) params.id_token_hint = idTokenHint;
    else params.client_id = this.config.clientId;
    return oidc.buildEndSessionUrl(this.oidcConfig, params);
  }
}
