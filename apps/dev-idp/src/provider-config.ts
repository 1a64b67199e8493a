import { randomBytes } from 'node:crypto';
import type {
  ClientAuthMethod,
  ClientMetadata,
  Configuration,
  Grant,
  JWK,
  KoaContextWithOIDC,
  SigningAlgorithm,
} from 'oidc-provider';
import { errors } from 'oidc-provider';
import { exportJWK, generateKeyPair } from 'jose';
import { CLIENT_CREDENTIALS_GRANT_TYPE } from './client-credentials.grant';
import { findDevAccount } from './dev-users';
import { defaultFapiClientAuthMethod, fapiConfiguration, type FapiMode } from './fapi-mode';
import { renderErrorPage, renderLoggedOut, renderLogoutConfirm } from './html';
import type { DevResourceServers } from './resource-servers';
import { DEV_ACR_VALUES, devInteractionPolicy } from './second-factor';
import { TOKEN_EXCHANGE_GRANT_TYPE } from './token-exchange.grant';

/** A confidential client registered at the dev IdP. */
export interface DevIdpClient {
  clientId: string;
  /** The secret of a `client_secret_basic` client. */
  clientSecret?: string;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  /** OIDC Back-Channel Logout receiver; when set, ID tokens also carry `sid`. */
  backchannelLogoutUri?: string;
  /** Default `client_secret_basic`; `private_key_jwt` in FAPI 2.0 mode. */
  tokenEndpointAuthMethod?: 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt';
  /** Where a `private_key_jwt` client publishes its keys (a BFF's `/auth/jwks`), fetched when first needed. */
  jwksUri?: string;
  /** A `private_key_jwt` client's public keys, given inline instead of {@link jwksUri}. */
  jwks?: { keys: JWK[] };
  /** The algorithm of this client's ID tokens; default RS256, in FAPI 2.0 mode the mode's one. */
  idTokenSignedResponseAlg?: SigningAlgorithm;
  /**
   * RFC 9449 §5.2: every access token of this client must be DPoP-bound (a token request without
   * a proof is refused). Default false.
   */
  dpopBoundAccessTokens?: boolean;
}

/** What the provider configuration is built from. */
export interface ProviderSettings {
  clients: DevIdpClient[];
  accessTokenTtlSeconds: number;
  /** The resource servers, the audiences of the access tokens. */
  servers: DevResourceServers;
  /** The provider's signing key (private JWK). */
  signingKey: JWK;
  /** FAPI 2.0 mode, with its EC P-256 key for ES256 ID tokens; unset: the default mode. */
  fapi?: { mode: FapiMode; ecSigningKey: JWK };
  /** Called for every client assertion (private_key_jwt) the provider accepted. */
  onClientAssertion?: (assertion: { route: string; kid?: string; alg: string }) => void;
}

/** Endpoint paths, fixed here because the HTTP handler routes on them too. */
export const ROUTES = {
  authorization: '/auth',
  pushed_authorization_request: '/request',
  token: '/token',
  revocation: '/token/revocation',
  end_session: '/session/end',
  jwks: '/jwks',
  userinfo: '/me',
} as const;

/** How long a login interaction (and a password waiting for its second factor) lives. */
export const INTERACTION_TTL_SECONDS = 600;

/** Interaction (login) pages are served by our own handler under this prefix. */
export const INTERACTION_PREFIX = '/interaction/';

/** A fresh RS256 signing key per start: tokens of a previous run must not verify anyway. */
/** A fresh RS256 signing key (private JWK) for one run of the dev IdP. */
export async function generateSigningKey(): Promise<JWK> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = await exportJWK(privateKey);
  return { ...jwk, kid: `dev-${randomBytes(6).toString('base64url')}`, alg: 'RS256', use: 'sig' };
}

/** The public half of a signing key (private RSA members dropped), to verify what it signed. */
export function publicJwkOf(jwk: JWK): JWK {
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicMembers } = jwk;
  return publicMembers;
}

function toClientMetadata(c: DevIdpClient, fapi: FapiMode | undefined): ClientMetadata {
  const method: ClientAuthMethod =
    c.tokenEndpointAuthMethod ?? (fapi ? defaultFapiClientAuthMethod(fapi) : 'client_secret_basic');
  const idTokenAlg = c.idTokenSignedResponseAlg ?? fapi?.idTokenSigningAlg;
  return {
    client_id: c.clientId,
    ...(c.clientSecret !== undefined ? { client_secret: c.clientSecret } : {}),
    token_endpoint_auth_method: method,
    ...(c.jwksUri !== undefined ? { jwks_uri: c.jwksUri } : {}),
    ...(c.jwks !== undefined ? { jwks: c.jwks } : {}),
    ...(idTokenAlg !== undefined ? { id_token_signed_response_alg: idTokenAlg } : {}),
    ...(c.dpopBoundAccessTokens !== undefined ? { dpop_bound_access_tokens: c.dpopBoundAccessTokens } : {}),
    // A BFF also gets its own token (per-route `client` policy) and exchanges its user's token for
    // another audience (`exchange` policy); both grants are registered in dev-idp.ts.
    grant_types: ['authorization_code', 'refresh_token', CLIENT_CREDENTIALS_GRANT_TYPE, TOKEN_EXCHANGE_GRANT_TYPE],
    response_types: ['code'],
    redirect_uris: c.redirectUris,
    post_logout_redirect_uris: c.postLogoutRedirectUris,
    ...(c.backchannelLogoutUri
      ? // session_required makes oidc-provider put `sid` in ID tokens and logout tokens.
        { backchannel_logout_uri: c.backchannelLogoutUri, backchannel_logout_session_required: true }
      : {}),
  };
}

/**
 * Consent is implied for the first-party demo clients: reuse the session's grant (or create one)
 * and add whatever the request asks for, so the consent prompt's checks always pass.
 */
async function grantRequested(ctx: KoaContextWithOIDC): Promise<Grant | undefined> {
  const { oidc } = ctx;
  const accountId = oidc.session?.accountId;
  const client = oidc.client;
  if (!accountId || !client) return undefined;

  const grantId = oidc.result?.consent?.grantId ?? oidc.session.grantIdFor(client.clientId);
  let grant = grantId ? await oidc.provider.Grant.find(grantId) : undefined;
  // A grant of another account or client would make oidc-provider throw; start over instead.
  if (grant?.accountId !== accountId || grant.clientId !== client.clientId) {
    grant = new oidc.provider.Grant({ accountId, clientId: client.clientId });
  }
  grant.addOIDCScope(oidc.requestParamOIDCScopes);
  grant.addOIDCClaims(oidc.requestParamClaims);
  for (const [indicator, server] of Object.entries(oidc.resourceServers ?? {})) {
    const scopes = [...oidc.requestParamScopes].filter((s) => server.scopes.has(s));
    grant.addResourceScope(indicator, scopes);
  }
  await grant.save();
  return grant;
}

/**
 * Outgoing requests (back-channel logout): oidc-provider attaches an SSRF-guarding dispatcher that
 * refuses loopback addresses, but the dev IdP's relying party *is* on loopback (the BFF on
 * localhost), so drop it and keep the rest (including the provider's 2.5 s timeout signal).
 */
const loopbackFriendlyFetch = (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
  const { dispatcher: _ssrfGuard, ...rest } = (init ?? {}) as RequestInit & { dispatcher?: unknown };
  return fetch(input, rest);
};

/** Builds the complete oidc-provider configuration for the dev IdP. */
export function buildProviderConfiguration(settings: ProviderSettings): Configuration {
  const { servers, accessTokenTtlSeconds, fapi } = settings;
  const configuration: Configuration = {
    clients: settings.clients.map((client) => toClientMetadata(client, fapi?.mode)),
    jwks: { keys: fapi ? [settings.signingKey, fapi.ecSigningKey] : [settings.signingKey] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    routes: ROUTES,
    findAccount: findDevAccount,
    claims: {
      // How the user authenticated goes into every ID token, asked for or not (OIDC Core §2 allows
      // it): the BFF keeps it in the session and answers step-up on it.
      openid: ['sub', 'acr', 'amr', 'auth_time'],
      profile: ['name', 'given_name', 'family_name'],
      email: ['email', 'email_verified'],
      sid: null,
    },
    // What the login form can deliver: a password, or a password and the demo code (second-factor.ts).
    acrValues: [...DEV_ACR_VALUES],
    scopes: ['openid', 'profile', 'email', 'offline_access'],
    pkce: { required: () => true },
    // The default also demands offline_access; ours issues one whenever the client may refresh.
    issueRefreshToken: (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    // Rotate on every use so tests and the BFF see refresh-token rotation (one-time use).
    rotateRefreshToken: true,
    loadExistingGrant: grantRequested,
    assertJwtClientAuthClaimsAndHeader: (ctx, claims, header) => {
      // oidc-provider's own rule, which this hook replaces: FAPI 2.0 wants the issuer as `aud`.
      if (ctx.oidc.isFapi('2.0') && claims.aud !== ctx.oidc.issuer) {
        throw new errors.InvalidClientAuth('audience (aud) must equal the issuer identifier url');
      }
      const { kid, alg } = header;
      settings.onClientAssertion?.({
        route: ctx.oidc.route,
        kid: typeof kid === 'string' ? kid : undefined,
        alg: typeof alg === 'string' ? alg : 'unknown',
      });
    },
    // RFC 8693 §4.1: an exchanged token names the party that acts for the user, the BFF (its
    // client id, as `sub` names a client in oidc-provider's client-credentials tokens).
    extraTokenClaims: (_ctx, token) =>
      token.kind === 'AccessToken' && token.gty === TOKEN_EXCHANGE_GRANT_TYPE
        ? { act: { sub: token.clientId } }
        : undefined,
    interactions: {
      policy: devInteractionPolicy(),
      url: (_ctx, interaction) => `${INTERACTION_PREFIX}${interaction.uid}`,
    },
    ttl: {
      AccessToken: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? accessTokenTtlSeconds,
      ClientCredentials: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? accessTokenTtlSeconds,
      AuthorizationCode: 60,
      IdToken: 3600,
      Interaction: INTERACTION_TTL_SECONDS,
      RefreshToken: 24 * 3600,
      Session: 24 * 3600,
      Grant: 24 * 3600,
    },
    features: {
      devInteractions: { enabled: false },
      revocation: {
        enabled: true,
        // A client may revoke only its own tokens (the default rule, spelled out to say so).
        allowedPolicy: (_ctx, client, token) => {
          if (token.clientId !== client.clientId) {
            throw new errors.InvalidRequest('client is not authorized to revoke the presented token');
          }
          return true;
        },
      },
      backchannelLogout: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: (ctx, form) => {
          ctx.type = 'html';
          ctx.body = renderLogoutConfirm(form, ctx.host);
        },
        postLogoutSuccessSource: (ctx) => {
          ctx.type = 'html';
          ctx.body = renderLoggedOut();
        },
      },
      resourceIndicators: {
        enabled: true,
        // openid-client sends no `resource` at /auth: there the grant covers every resource server,
        // so the refresh token may later ask for any of them (RFC 8707 `resource`). At the token
        // endpoint one token has one audience: the primary unless the request names another.
        defaultResource: (ctx, _client, oneOf) => {
          if (!oneOf) return ctx.oidc.route === 'token' ? servers.primary : servers.indicators;
          if (oneOf.length === 1) return oneOf[0];
          return oneOf.includes(servers.primary) ? servers.primary : oneOf;
        },
        // The code and refresh token remember the granted resources: the token endpoint reuses them.
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, indicator) => servers.info(indicator),
      },
    },
    fetch: loopbackFriendlyFetch,
    renderError: (ctx, out) => {
      ctx.type = 'html';
      ctx.body = renderErrorPage({ ...out });
    },
  };
  if (!fapi) return configuration;
  const overlay = fapiConfiguration(fapi.mode);
  Object.assign(configuration.features ?? {}, overlay.features);
  return { ...configuration, clientAuthMethods: overlay.clientAuthMethods, enabledJWA: overlay.enabledJWA };
}
