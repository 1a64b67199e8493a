import type { ServerMetadata } from 'openid-client';
import { expectedIdTokenAlg, providerProblems, usesPar } from './provider-requirements';

/** A provider that offers everything FAPI 2.0 asks for. */
const FAPI_PROVIDER: ServerMetadata = {
  issuer: 'https://idp.example',
  pushed_authorization_request_endpoint: 'https://idp.example/par',
  require_pushed_authorization_requests: true,
  token_endpoint_auth_methods_supported: ['private_key_jwt'],
  token_endpoint_auth_signing_alg_values_supported: ['PS256', 'ES256', 'EdDSA'],
  dpop_signing_alg_values_supported: ['ES256', 'EdDSA'],
  code_challenge_methods_supported: ['S256'],
  authorization_response_iss_parameter_supported: true,
  id_token_signing_alg_values_supported: ['RS256', 'ES256'],
};

const FAPI = {
  profile: 'fapi2' as const,
  par: 'always' as const,
  clientAuthMethod: 'private_key_jwt' as const,
  dpop: true,
  dpopAlg: 'ES256' as const,
  clientAssertionAlg: 'ES256' as const,
};

const DEFAULT = {
  profile: 'default' as const,
  par: 'auto' as const,
  clientAuthMethod: 'client_secret_basic' as const,
  dpop: false,
  dpopAlg: 'ES256' as const,
};

function without(...names: (keyof ServerMetadata)[]): ServerMetadata {
  const metadata: Record<string, unknown> = { ...FAPI_PROVIDER };
  // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- building a provider that lacks the named fields
  for (const name of names) delete metadata[name];
  return metadata as ServerMetadata;
}

describe('the FAPI 2.0 profile against the provider', () => {
  it('finds nothing missing in a provider that offers it all', () => {
    expect(providerProblems(FAPI, FAPI_PROVIDER)).toEqual([]);
  });

  it.each<[string, ServerMetadata, RegExp]>([
    [
      'no PAR endpoint',
      without('pushed_authorization_request_endpoint', 'require_pushed_authorization_requests'),
      /^OIDC_PROFILE=fapi2 needs PAR .*pushed_authorization_request_endpoint/,
    ],
    [
      'no private_key_jwt',
      { ...FAPI_PROVIDER, token_endpoint_auth_methods_supported: ['client_secret_basic'] },
      /^OIDC_CLIENT_AUTH_METHOD=private_key_jwt: the provider does not accept it \(token_endpoint_auth_methods_supported: client_secret_basic\)/,
    ],
    [
      'no list of client authentication methods',
      without('token_endpoint_auth_methods_supported'),
      /private_key_jwt: the provider does not accept it \(token_endpoint_auth_methods_supported: not listed\)/,
    ],
    [
      'no ES256 client assertions',
      { ...FAPI_PROVIDER, token_endpoint_auth_signing_alg_values_supported: ['PS256'] },
      /^OIDC_CLIENT_PRIVATE_KEY: the provider does not accept ES256 client assertions/,
    ],
    [
      'no DPoP',
      without('dpop_signing_alg_values_supported'),
      /^OIDC_PROFILE=fapi2 needs DPoP, but the provider does not support it/,
    ],
    [
      'DPoP without ES256',
      { ...FAPI_PROVIDER, dpop_signing_alg_values_supported: ['EdDSA'] },
      /^OIDC_DPOP_ALG=ES256: not in the provider's dpop_signing_alg_values_supported \(EdDSA\)/,
    ],
    [
      'no PKCE S256',
      { ...FAPI_PROVIDER, code_challenge_methods_supported: ['plain'] },
      /^OIDC_PROFILE=fapi2 needs PKCE with S256/,
    ],
    [
      'no RFC 9207 iss parameter',
      without('authorization_response_iss_parameter_supported'),
      /^OIDC_PROFILE=fapi2 needs the RFC 9207 iss parameter/,
    ],
    [
      'RS256-only ID tokens',
      { ...FAPI_PROVIDER, id_token_signing_alg_values_supported: ['RS256'] },
      /^OIDC_PROFILE=fapi2 needs ID tokens signed with PS256, ES256 or EdDSA.*\(id_token_signing_alg_values_supported: RS256\)/,
    ],
  ])('names a provider with %s', (_label, metadata, problem) => {
    expect(providerProblems(FAPI, metadata)).toEqual([expect.stringMatching(problem)]);
  });

  it('names every shortfall at once', () => {
    const bare: ServerMetadata = {
      issuer: 'https://idp.example',
      token_endpoint_auth_methods_supported: ['client_secret_basic'],
      id_token_signing_alg_values_supported: ['RS256'],
    };
    const problems = providerProblems(FAPI, bare);
    expect(problems).toHaveLength(6);
    expect(problems.join('\n')).toMatch(/PAR[\s\S]*private_key_jwt[\s\S]*DPoP[\s\S]*ID tokens[\s\S]*S256[\s\S]*iss/);
  });

  it('asks openid-client for the first of PS256, ES256 and EdDSA the provider lists, or the configured one', () => {
    expect(expectedIdTokenAlg(FAPI, FAPI_PROVIDER)).toBe('ES256');
    expect(
      expectedIdTokenAlg(FAPI, { ...FAPI_PROVIDER, id_token_signing_alg_values_supported: ['EdDSA', 'PS256'] }),
    ).toBe('PS256');
    expect(expectedIdTokenAlg({ ...FAPI, idTokenSigningAlg: 'EdDSA' }, FAPI_PROVIDER)).toBe('EdDSA');
    expect(expectedIdTokenAlg(DEFAULT, FAPI_PROVIDER)).toBeUndefined();
  });
});

describe('PAR, DPoP and the ID token algorithm outside the profile', () => {
  const classic: ServerMetadata = {
    issuer: 'https://idp.example',
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'private_key_jwt'],
    id_token_signing_alg_values_supported: ['RS256'],
  };

  it('pushes with auto only when the provider has a PAR endpoint, always with always, never with never', () => {
    expect(usesPar({ par: 'auto' }, classic)).toBe(false);
    expect(usesPar({ par: 'auto' }, FAPI_PROVIDER)).toBe(true);
    expect(usesPar({ par: 'always' }, FAPI_PROVIDER)).toBe(true);
    expect(usesPar({ par: 'never' }, FAPI_PROVIDER)).toBe(false);
  });

  it('asks nothing of a classic provider by default', () => {
    expect(providerProblems(DEFAULT, classic)).toEqual([]);
  });

  it('names OIDC_PAR=always without an endpoint and OIDC_PAR=never against a provider that requires PAR', () => {
    expect(providerProblems({ ...DEFAULT, par: 'always' }, classic)).toEqual([
      expect.stringMatching(/^OIDC_PAR=always needs PAR/),
    ]);
    expect(
      providerProblems({ ...DEFAULT, par: 'never' }, { ...classic, require_pushed_authorization_requests: true }),
    ).toEqual([expect.stringMatching(/^OIDC_PAR=never: the provider requires pushed authorization requests/)]);
  });

  it('names OIDC_DPOP=true against a provider without DPoP, and an unlisted client authentication method', () => {
    expect(providerProblems({ ...DEFAULT, dpop: true, clientAuthMethod: 'client_secret_post' }, classic)).toEqual([
      expect.stringMatching(/^OIDC_CLIENT_AUTH_METHOD=client_secret_post: the provider does not accept it/),
      expect.stringMatching(/^OIDC_DPOP=true needs DPoP/),
    ]);
  });

  it('names an OIDC_ID_TOKEN_SIGNING_ALG the provider does not sign with', () => {
    expect(providerProblems({ ...DEFAULT, idTokenSigningAlg: 'ES256' }, classic)).toEqual([
      expect.stringMatching(/^OIDC_ID_TOKEN_SIGNING_ALG=ES256: the provider does not sign ID tokens with it/),
    ]);
  });
});
