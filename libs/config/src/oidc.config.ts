import {
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  ValidateIf,
} from 'class-validator';
import { EnvVar } from './env-var.decorator';

/** How the BFF authenticates to the provider's token, revocation and PAR endpoints. */
export type ClientAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt';
export const CLIENT_AUTH_METHODS: readonly ClientAuthMethod[] = [
  'client_secret_basic',
  'client_secret_post',
  'private_key_jwt',
];

/** When the authorization request is pushed first (RFC 9126): when the provider offers it, always, never. */
export type ParMode = 'auto' | 'always' | 'never';

/** `default`, or `fapi2`: the FAPI 2.0 Security Profile, turned on and checked as one switch. */
export type OidcProfile = 'default' | 'fapi2';

/** The algorithms a DPoP proof may be signed with (RFC 9449). */
export type DpopAlg = 'ES256' | 'EdDSA';

/** The ID token algorithms this BFF can be told to expect; the FAPI 2.0 profile allows PS256, ES256 and EdDSA only. */
export const ID_TOKEN_SIGNING_ALGS = ['PS256', 'ES256', 'EdDSA', 'RS256'] as const;
export type IdTokenSigningAlg = (typeof ID_TOKEN_SIGNING_ALGS)[number];

/** The OIDC authorization-request parameters `/auth/login` can forward (OIDC Core §3.1.2.1). */
export const LOGIN_PARAMETERS = ['prompt', 'login_hint', 'ui_locales', 'acr_values', 'max_age'] as const;
export type LoginParameter = (typeof LOGIN_PARAMETERS)[number];

/** The longest text value of a login parameter `/auth/login` forwards (the browser client's limit too). */
export const MAX_LOGIN_PARAMETER_LENGTH = 255;

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

  @EnvVar('OIDC_PROFILE', {
    doc: '`default`, or `fapi2` (FAPI 2.0 Security Profile): turns on and requires PAR (`OIDC_PAR=always`), `private_key_jwt`, DPoP, PKCE S256, the RFC 9207 `iss` parameter and PS256/ES256/EdDSA ID tokens. A contradicting variable, or a provider that lacks any of these, stops the boot naming each.',
    default: 'default',
  })
  @IsIn(['default', 'fapi2'])
  profile: OidcProfile = 'default';

  @EnvVar('OIDC_CLIENT_AUTH_METHOD', {
    doc: 'Client authentication at every token-endpoint call (code, refresh, client credentials, token exchange, revocation, PAR): `client_secret_basic`, `client_secret_post` or `private_key_jwt` (a JWT signed with OIDC_CLIENT_PRIVATE_KEY).',
    default: 'client_secret_basic (private_key_jwt with OIDC_PROFILE=fapi2)',
  })
  @IsIn(CLIENT_AUTH_METHODS)
  clientAuthMethod: ClientAuthMethod = 'client_secret_basic';

  @EnvVar('OIDC_CLIENT_SECRET', {
    doc: "The BFF's client secret; required with `client_secret_basic` and `client_secret_post`, unused with `private_key_jwt`.",
    default: '**required** unless private_key_jwt',
    secret: true,
  })
  @ValidateIf((config: OidcConfig) => config.clientAuthMethod !== 'private_key_jwt')
  @IsString()
  @MinLength(1, { message: 'is required with client_secret_basic and client_secret_post' })
  clientSecret = '';

  @EnvVar('OIDC_CLIENT_PRIVATE_KEY', {
    doc: 'For `private_key_jwt`: a PKCS#8 PEM private key, a private JWK, or a JWK Set `{"keys":[…]}` whose **first** key signs and whose every key is published at `GET /auth/jwks` (rotation, see docs/deploying.md). EC P-256 signs ES256, Ed25519 EdDSA, RSA of 2048 bits or more PS256.',
    default: '**required** with private_key_jwt',
    secret: true,
  })
  @IsOptional()
  @IsString()
  clientPrivateKey?: string;

  @EnvVar('OIDC_CLIENT_KEY_ID', {
    doc: 'The `kid` of a single OIDC_CLIENT_PRIVATE_KEY (a JWK may carry its own; in a JWK Set every key does).',
    default: 'the key’s RFC 7638 thumbprint',
  })
  @IsOptional()
  @Matches(/^[\x21-\x7e]{1,128}$/, { message: 'must be 1-128 printable ASCII characters without spaces' })
  clientKeyId?: string;

  @EnvVar('OIDC_PAR', {
    doc: 'Pushed authorization requests (RFC 9126): `auto` pushes when the provider has a PAR endpoint, `always` requires one (boot fails without), `never` does not push (boot fails if the provider requires it). With PAR the redirect to the provider carries only `client_id` and `request_uri`.',
    default: 'auto (always with OIDC_PROFILE=fapi2)',
  })
  @IsIn(['auto', 'always', 'never'])
  par: ParMode = 'auto';

  @EnvVar('OIDC_DPOP', {
    kind: 'bool',
    doc: 'Sender-constrain tokens with DPoP (RFC 9449); the provider must list OIDC_DPOP_ALG in `dpop_signing_alg_values_supported`.',
    default: 'false (true with OIDC_PROFILE=fapi2)',
  })
  @IsBoolean()
  dpop = false;

  @EnvVar('OIDC_DPOP_ALG', { doc: 'Algorithm of the DPoP keys and proofs: `ES256` or `EdDSA`.', default: 'ES256' })
  @IsIn(['ES256', 'EdDSA'])
  dpopAlg: DpopAlg = 'ES256';

  @EnvVar('OIDC_ID_TOKEN_SIGNING_ALG', {
    doc: 'The algorithm the provider signs this client’s ID tokens with (its registered `id_token_signed_response_alg`): `PS256`, `ES256`, `EdDSA` or `RS256`; any other is refused. Unset: any the provider lists, or with OIDC_PROFILE=fapi2 the first of PS256, ES256, EdDSA it lists.',
  })
  @IsOptional()
  @IsIn(ID_TOKEN_SIGNING_ALGS)
  idTokenSigningAlg?: IdTokenSigningAlg;

  @EnvVar('OIDC_SCOPES', {
    doc: 'Space-separated scopes to request; must contain `openid`. `offline_access` asks for a refresh token.',
    default: 'openid profile email offline_access',
  })
  @Matches(/(^|\s)openid(\s|$)/, { message: 'must contain the scope "openid"' })
  scopes = 'openid profile email offline_access';

  @EnvVar('OIDC_LOGIN_PARAMETERS', {
    kind: 'list',
    doc: 'Comma-separated OIDC parameters `/auth/login` forwards to the authorization request when the SPA passes them, each validated (docs/security-model.md): any of `prompt`, `login_hint`, `ui_locales`, `acr_values`, `max_age`. A parameter not listed is answered 400 `invalid_login_parameter`.',
    default: 'prompt,login_hint,ui_locales,acr_values,max_age',
  })
  @IsArray()
  @ArrayUnique({ message: 'must not name a parameter twice' })
  @IsIn(LOGIN_PARAMETERS, { each: true, message: `must list only ${LOGIN_PARAMETERS.join(', ')}` })
  loginParameters: LoginParameter[] = [...LOGIN_PARAMETERS];

  @EnvVar('OIDC_HTTP_TIMEOUT_MS', {
    kind: 'int',
    doc: 'Timeout of every call to the OpenID Provider (discovery, PAR, token, revocation, JWKS).',
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
