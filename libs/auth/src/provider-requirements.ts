import { FAPI2_ID_TOKEN_ALGS, type ClientSigningAlg, type OidcConfig } from '@bff/config';
import type { ServerMetadata } from 'openid-client';

/** What the configuration asks of the provider, read against its discovery document. */
type Requirements = Pick<
  OidcConfig,
  'profile' | 'par' | 'clientAuthMethod' | 'dpop' | 'dpopAlg' | 'idTokenSigningAlg'
> & {
  /** The algorithm of the client assertions (private_key_jwt), from the configured key. */
  clientAssertionAlg?: ClientSigningAlg;
};

function listed(metadata: ServerMetadata, name: keyof ServerMetadata): string[] | undefined {
  const value = metadata[name];
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : undefined;
}

function describeList(values: string[] | undefined): string {
  return values === undefined ? 'not listed' : values.length === 0 ? 'empty' : values.join(', ');
}

/** Whether authorization requests are pushed (RFC 9126), once the provider's metadata is known. */
export function usesPar(config: Pick<OidcConfig, 'par'>, metadata: ServerMetadata): boolean {
  if (config.par === 'never') return false;
  return config.par === 'always' || typeof metadata.pushed_authorization_request_endpoint === 'string';
}

/**
 * The ID token algorithm the BFF tells openid-client to expect (`id_token_signed_response_alg`),
 * refusing any other: the configured one, or in the FAPI 2.0 profile the first of PS256, ES256,
 * EdDSA the provider lists. Undefined leaves openid-client's own rule (any the provider lists).
 */
export function expectedIdTokenAlg(
  config: Pick<OidcConfig, 'profile' | 'idTokenSigningAlg'>,
  metadata: ServerMetadata,
): string | undefined {
  if (config.idTokenSigningAlg !== undefined) return config.idTokenSigningAlg;
  if (config.profile !== 'fapi2') return undefined;
  const offered = listed(metadata, 'id_token_signing_alg_values_supported') ?? [];
  return FAPI2_ID_TOKEN_ALGS.find((alg) => offered.includes(alg));
}

function parProblems(config: Requirements, metadata: ServerMetadata, who: string): string[] {
  const endpoint = typeof metadata.pushed_authorization_request_endpoint === 'string';
  const required = metadata.require_pushed_authorization_requests === true;
  if (config.par === 'always' && !endpoint) {
    return [
      `${who} needs PAR (pushed authorization requests), but the provider has no pushed_authorization_request_endpoint`,
    ];
  }
  if (config.par === 'never' && required) {
    return [
      'OIDC_PAR=never: the provider requires pushed authorization requests (require_pushed_authorization_requests); use auto or always',
    ];
  }
  if (required && !endpoint) {
    return ['the provider requires pushed authorization requests but has no pushed_authorization_request_endpoint'];
  }
  return [];
}

function clientAuthProblems(config: Requirements, metadata: ServerMetadata, fapi: boolean): string[] {
  const problems: string[] = [];
  const methods = listed(metadata, 'token_endpoint_auth_methods_supported');
  if ((methods !== undefined || fapi) && !methods?.includes(config.clientAuthMethod)) {
    problems.push(
      `OIDC_CLIENT_AUTH_METHOD=${config.clientAuthMethod}: the provider does not accept it (token_endpoint_auth_methods_supported: ${describeList(methods)})`,
    );
  }
  const algs = listed(metadata, 'token_endpoint_auth_signing_alg_values_supported');
  const alg = config.clientAssertionAlg;
  if (config.clientAuthMethod === 'private_key_jwt' && alg !== undefined && algs !== undefined && !algs.includes(alg)) {
    problems.push(
      `OIDC_CLIENT_PRIVATE_KEY: the provider does not accept ${alg} client assertions (token_endpoint_auth_signing_alg_values_supported: ${describeList(algs)})`,
    );
  }
  return problems;
}

function dpopProblems(config: Requirements, metadata: ServerMetadata, who: string): string[] {
  if (!config.dpop) return [];
  const algs = listed(metadata, 'dpop_signing_alg_values_supported');
  if (algs === undefined || algs.length === 0) {
    return [`${who} needs DPoP, but the provider does not support it (no dpop_signing_alg_values_supported)`];
  }
  if (!algs.includes(config.dpopAlg)) {
    return [
      `OIDC_DPOP_ALG=${config.dpopAlg}: not in the provider's dpop_signing_alg_values_supported (${describeList(algs)})`,
    ];
  }
  return [];
}

function idTokenProblems(config: Requirements, metadata: ServerMetadata): string[] {
  const offered = listed(metadata, 'id_token_signing_alg_values_supported');
  if (config.idTokenSigningAlg !== undefined) {
    return offered === undefined || offered.includes(config.idTokenSigningAlg)
      ? []
      : [
          `OIDC_ID_TOKEN_SIGNING_ALG=${config.idTokenSigningAlg}: the provider does not sign ID tokens with it (id_token_signing_alg_values_supported: ${describeList(offered)})`,
        ];
  }
  if (config.profile === 'fapi2' && !FAPI2_ID_TOKEN_ALGS.some((alg) => offered?.includes(alg))) {
    return [
      `OIDC_PROFILE=fapi2 needs ID tokens signed with PS256, ES256 or EdDSA, but the provider offers none of them (id_token_signing_alg_values_supported: ${describeList(offered)})`,
    ];
  }
  return [];
}

function fapiOnlyProblems(metadata: ServerMetadata): string[] {
  const problems: string[] = [];
  const pkce = listed(metadata, 'code_challenge_methods_supported');
  if (!pkce?.includes('S256')) {
    problems.push(
      `OIDC_PROFILE=fapi2 needs PKCE with S256, but the provider does not list it (code_challenge_methods_supported: ${describeList(pkce)})`,
    );
  }
  if (metadata.authorization_response_iss_parameter_supported !== true) {
    problems.push(
      'OIDC_PROFILE=fapi2 needs the RFC 9207 iss parameter in authorization responses, but the provider does not announce it (authorization_response_iss_parameter_supported)',
    );
  }
  return problems;
}

/**
 * Every way the provider's discovery document falls short of the configuration: PAR, the client
 * authentication method and its algorithm, DPoP, the ID token algorithm and, with
 * `OIDC_PROFILE=fapi2`, PKCE S256 and the RFC 9207 `iss` parameter. All of them, so that an
 * operator sees the whole list in one failed boot.
 */
export function providerProblems(config: Requirements, metadata: ServerMetadata): string[] {
  const fapi = config.profile === 'fapi2';
  // The setting that asked for the feature: the profile turned it on, or the variable did.
  const askedBy = (variable: string): string => (fapi ? 'OIDC_PROFILE=fapi2' : variable);
  return [
    ...parProblems(config, metadata, askedBy('OIDC_PAR=always')),
    ...clientAuthProblems(config, metadata, fapi),
    ...dpopProblems(config, metadata, askedBy('OIDC_DPOP=true')),
    ...idTokenProblems(config, metadata),
    ...(fapi ? fapiOnlyProblems(metadata) : []),
  ];
}
