import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { OidcConfig, ServerConfig } from '@bff/config';
import type { DpopAlgorithm, DpopKey } from '@bff/dpop';
import { BffTracing } from '@bff/tracing';
import * as oidc from 'openid-client';
import { IdpRequirementsError, IdpUnavailableError } from './auth.errors';
import { ClientAssertionKeys } from './client-assertion-keys';
import { idpFetch } from './idp-fetch';
import type { ForwardedLoginParameters } from './login-parameters';
import { expectedIdTokenAlg, providerProblems, usesPar } from './provider-requirements';
import {
  ACCESS_TOKEN_TYPE,
  targetParameters,
  TOKEN_EXCHANGE_GRANT,
  toTokenSet,
  type TokenSet,
  type TokenTarget,
} from './token-set';

/** What an authorization request carries besides the client's own settings. */
export interface AuthorizationRequest {
  state: string;
  nonce: string;
  codeChallenge: string;
  /** The SPA's validated login parameters (`prompt`, `acr_values`, `max_age`, ...). */
  parameters?: ForwardedLoginParameters;
}

/**
 * The BFF as a confidential OpenID Connect client (openid-client 6). Discovers
 * the provider at boot with a timeout, and applies that timeout to every later
 * call. ID tokens from the token endpoint are signature-checked against the
 * provider's JWKS too (`enableNonRepudiationChecks`), as docs/security-model.md states.
 *
 * Every call to the provider's token endpoint (and its revocation and PAR endpoints) goes
 * through the one {@link oidc.Configuration} built at boot, so each authenticates with the
 * configured method: client_secret_basic, client_secret_post or private_key_jwt. Right after
 * discovery, every way the provider falls short of the configuration (PAR, the method, DPoP,
 * the ID token algorithm, the FAPI 2.0 profile's checks) is named at once and boot stops.
 */
@Injectable()
export class OidcClient implements OnModuleInit {
  private readonly logger = new Logger(OidcClient.name);
  private configuration?: oidc.Configuration;
  /** One openid-client DPoP handle per key: it keeps the provider's last `DPoP-Nonce`. */
  private readonly dpopHandles = new WeakMap<DpopKey, Promise<oidc.DPoPHandle>>();
  /** Whether authorization requests are pushed first (OIDC_PAR, read against the provider's metadata). */
  private pushesAuthorizationRequests = false;
  readonly redirectUri: string;
  /** The algorithm of each session's DPoP key (RFC 9449), when `OIDC_DPOP` is on; else undefined. */
  readonly sessionDpopAlg: DpopAlgorithm | undefined;
  /** With tracing on, the fetch of every call to the provider: one CLIENT span each. */
  private readonly tracedFetch?: oidc.CustomFetch;

  constructor(
    private readonly config: OidcConfig,
    server: ServerConfig,
    private readonly keys: ClientAssertionKeys,
    tracing: BffTracing,
  ) {
    this.redirectUri = `${server.publicUrl}/auth/callback`;
    this.sessionDpopAlg = config.dpop ? config.dpopAlg : undefined;
    if (tracing.enabled) this.tracedFetch = idpFetch(tracing, () => this.configuration?.serverMetadata());
  }

  async onModuleInit(): Promise<void> {
    const clientAuth = await this.clientAuthentication();
    const metadata: Partial<oidc.ClientMetadata> = { redirect_uris: [this.redirectUri], response_types: ['code'] };
    let configuration: oidc.Configuration;
    try {
      configuration = await oidc.discovery(new URL(this.config.issuer), this.config.clientId, metadata, clientAuth, {
        execute: this.configurationSettings(),
        timeout: this.config.httpTimeoutMs / 1000,
        ...(this.tracedFetch ? { [oidc.customFetch]: this.tracedFetch } : {}),
      });
    } catch (error) {
      throw new Error(
        `Cannot use the OpenID Provider at ${this.config.issuer} (OIDC_ISSUER): discovery failed: ${(error as Error).message}`,
        { cause: error },
      );
    }
    const server = configuration.serverMetadata();
    const problems = providerProblems(this.requirements(), server);
    if (problems.length > 0) throw new IdpRequirementsError(this.config.issuer, problems);
    // openid-client refuses an ID token of any other algorithm than the one asked for here. It
    // takes client metadata only when a Configuration is made, and the algorithm may depend on
    // the provider's list, so the Configuration is made again with it.
    const idTokenAlg = expectedIdTokenAlg(this.config, server);
    if (idTokenAlg !== undefined) {
      configuration = new oidc.Configuration(
        server,
        this.config.clientId,
        { ...metadata, id_token_signed_response_alg: idTokenAlg },
        clientAuth,
      );
      for (const setting of this.configurationSettings()) setting(configuration);
      configuration.timeout = this.config.httpTimeoutMs / 1000;
    }
    this.configuration = configuration;
    this.pushesAuthorizationRequests = usesPar(this.config, server);
    this.logger.log(
      `discovered OpenID Provider ${this.config.issuer} (client authentication ${this.config.clientAuthMethod}, PAR ${this.pushesAuthorizationRequests ? 'on' : 'off'}${idTokenAlg ? `, ${idTokenAlg} ID tokens` : ''})`,
    );
  }

  /** What the configuration asks of the provider, checked against its metadata at boot. */
  private requirements(): Parameters<typeof providerProblems>[0] {
    const { profile, par, clientAuthMethod, dpop, dpopAlg, idTokenSigningAlg } = this.config;
    return { profile, par, clientAuthMethod, dpop, dpopAlg, idTokenSigningAlg, clientAssertionAlg: this.keys.alg };
  }

  /**
   * What every Configuration of this client gets: the ID token signature check, http on
   * loopback, and with tracing on a fetch that makes a CLIENT span of each call to the provider.
   */
  private configurationSettings(): ((configuration: oidc.Configuration) => void)[] {
    const settings = [oidc.enableNonRepudiationChecks];
    // http is accepted only for loopback issuers (checked in config); openid-client needs telling.
    if (this.config.issuer.startsWith('http:')) settings.push(oidc.allowInsecureRequests);
    const traced = this.tracedFetch;
    if (traced) {
      settings.push((configuration) => {
        configuration[oidc.customFetch] = traced;
      });
    }
    return settings;
  }

  private async clientAuthentication(): Promise<oidc.ClientAuth> {
    switch (this.config.clientAuthMethod) {
      case 'client_secret_basic':
        return oidc.ClientSecretBasic(this.config.clientSecret);
      case 'client_secret_post':
        return oidc.ClientSecretPost(this.config.clientSecret);
      case 'private_key_jwt':
        return this.keys.privateKeyJwt();
    }
  }

  private get oidcConfig(): oidc.Configuration {
    if (!this.configuration) throw new IdpUnavailableError(new Error('OpenID Provider not discovered yet'));
    return this.configuration;
  }

  /**
   * openid-client's DPoP option for a token request signed with `key` (none without a key). On
   * `use_dpop_nonce` openid-client retries once with the provider's nonce by itself.
   */
  private async dpopOption(key: DpopKey | undefined): Promise<oidc.DPoPOptions> {
    if (key === undefined) return {};
    let handle = this.dpopHandles.get(key);
    if (handle === undefined) {
      const configuration = this.oidcConfig;
      handle = key.cryptoKeyPair().then((pair) => oidc.getDPoPHandle(configuration, pair));
      this.dpopHandles.set(key, handle);
    }
    return { DPoP: await handle };
  }

  /** The provider's metadata as discovered. */
  get metadata(): oidc.ServerMetadata {
    return this.oidcConfig.serverMetadata();
  }

  private authorizationParameters(params: AuthorizationRequest): Record<string, string> {
    return {
      // First, so that none of the BFF's own parameters can be replaced by them.
      ...params.parameters,
      redirect_uri: this.redirectUri,
      scope: this.config.scopes,
      state: params.state,
      nonce: params.nonce,
      code_challenge: params.codeChallenge,
      code_challenge_method: 'S256',
    };
  }

  /** The authorization URL with every parameter in its query (no PAR). */
  buildAuthorizationUrl(params: AuthorizationRequest): URL {
    return oidc.buildAuthorizationUrl(this.oidcConfig, this.authorizationParameters(params));
  }

  /**
   * Where to send the browser to log in. With PAR (RFC 9126) the parameters are pushed to the
   * provider first, with the client's authentication, and the URL carries only `client_id` and
   * `request_uri`; that call throws openid-client's errors like the token endpoint's.
   */
  async authorizationUrl(params: AuthorizationRequest): Promise<URL> {
    if (!this.pushesAuthorizationRequests) return this.buildAuthorizationUrl(params);
    return oidc.buildAuthorizationUrlWithPAR(this.oidcConfig, this.authorizationParameters(params));
  }

  /**
   * Validates the authorization response (state, iss) and exchanges the code, checking the ID
   * token's `auth_time` against `maxAge` when given; throws openid-client's errors.
   */
  async exchangeCode(
    callbackUrl: URL,
    checks: { state: string; nonce: string; codeVerifier: string; maxAge?: number },
    dpop?: DpopKey,
  ): Promise<TokenSet> {
    const response = await oidc.authorizationCodeGrant(
      this.oidcConfig,
      callbackUrl,
      {
        expectedState: checks.state,
        expectedNonce: checks.nonce,
        pkceCodeVerifier: checks.codeVerifier,
        idTokenExpected: true,
        // OIDC Core §3.1.2.1: with max_age the ID token must carry an auth_time within it.
        ...(checks.maxAge === undefined ? {} : { maxAge: checks.maxAge }),
      },
      undefined,
      await this.dpopOption(dpop),
    );
    return toTokenSet(response, Date.now());
  }

  /**
   * A refresh; with `target`, the new access token is narrowed to it (RFC 8707 `resource`); with
   * `dpop`, the request carries a proof of that key, to which the provider may bind the token.
   */
  async refresh(refreshToken: string, target: TokenTarget = {}, dpop?: DpopKey): Promise<TokenSet> {
    return toTokenSet(
      await oidc.refreshTokenGrant(
        this.oidcConfig,
        refreshToken,
        targetParameters(target),
        await this.dpopOption(dpop),
      ),
      Date.now(),
    );
  }

  /** The BFF's own token (client credentials grant), for `client` and `user-or-client` routes. */
  async clientCredentials(target: TokenTarget, dpop?: DpopKey): Promise<TokenSet> {
    return toTokenSet(
      await oidc.clientCredentialsGrant(this.oidcConfig, targetParameters(target), await this.dpopOption(dpop)),
      Date.now(),
    );
  }

  /** RFC 8693: the user's access token exchanged for one meant for `target`, for `exchange` routes. */
  async exchange(subjectToken: string, target: TokenTarget, dpop?: DpopKey): Promise<TokenSet> {
    const response = await oidc.genericGrantRequest(
      this.oidcConfig,
      TOKEN_EXCHANGE_GRANT,
      {
        subject_token: subjectToken,
        subject_token_type: ACCESS_TOKEN_TYPE,
        requested_token_type: ACCESS_TOKEN_TYPE,
        ...targetParameters(target),
      },
      await this.dpopOption(dpop),
    );
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
