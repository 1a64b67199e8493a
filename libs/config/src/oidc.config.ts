import { IsBoolean, IsInt, IsString, Matches, Max, Min, MinLength } from 'class-validator';
import { EnvVar } from './env-var.decorator';

/** The OpenID Provider and this BFF's registration there as a confidential client. */
export class OidcConfig {
  @EnvVar('OIDC_ISSUER', {
    required: true,
    doc: 'Issuer URL of the OpenID Provider (discovery is read from it at boot).',
  })
  @IsString()
  @MinLength(1, { message: 'is required' })
  issuer = '';

  @EnvVar('OIDC_CLIENT_ID', { required: true, doc: "The BFF's client id at the OpenID Provider." })
  @IsString()
  @MinLength(1, { message: 'is required' })
  clientId = '';

  @EnvVar('OIDC_CLIENT_SECRET', { required: true, doc: "The BFF's client secret (client_secret_basic).", secret: true })
  @IsString()
  @MinLength(1, { message: 'is required' })
  clientSecret = '';

  @EnvVar('OIDC_SCOPES', {
    doc: 'Space-separated scopes to request; must contain `openid`. `offline_access` asks for a refresh token.',
    default: 'openid profile email offline_access',
  })
  @Matches(/(^|\s)openid(\s|$)/, { message: 'must contain the scope "openid"' })
  scopes = 'openid profile email offline_access';

  @EnvVar('OIDC_HTTP_TIMEOUT_MS', {
    kind: 'int',
    doc: 'Timeout of every call to the OpenID Provider (discovery, token, revocation, JWKS).',
    default: '5000',
  })
  @IsInt()
  @Min(100)
  @Max(60000)
  httpTimeoutMs = 5000;

  @EnvVar('OIDC_POST_LOGOUT_REDIRECT_URI', {
    doc: 'Where the OpenID Provider sends the browser after logout.',
    default: '<BFF_PUBLIC_URL>/',
  })
  @IsString()
  postLogoutRedirectUri = '';

  @EnvVar('OIDC_REVOKE_REFRESH_TOKEN_ON_LOGOUT', {
    kind: 'bool',
    doc: 'Revoke the refresh token at logout when the provider has a revocation endpoint.',
    default: 'true',
  })
  @IsBoolean()
  revokeRefreshTokenOnLogout = true;
}
