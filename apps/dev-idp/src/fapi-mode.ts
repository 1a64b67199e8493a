import { randomBytes } from 'node:crypto';
import type { ClientAuthMethod, Configuration, JWK, SigningAlgorithm } from 'oidc-provider';
import { exportJWK, generateKeyPair } from 'jose';

/**
 * What the dev IdP's FAPI 2.0 mode (`profile: 'fapi2'`) offers. Each is on by default; a test
 * turns one off to get a provider that FAPI 2.0 refuses, and sees the BFF name it at boot.
 */
export interface DevIdpFapiOptions {
  /** PAR offered and required for every authorization request (default true); false: no PAR endpoint. */
  par?: boolean;
  /** DPoP offered, a server nonce required in proofs (default true); false: no DPoP at all. */
  dpop?: boolean;
  /** private_key_jwt accepted (default true); false: client_secret_basic only. */
  privateKeyJwt?: boolean;
  /** The one algorithm of ID tokens (default ES256); RS256 makes a provider FAPI 2.0 does not accept. */
  idTokenSigningAlg?: 'ES256' | 'RS256';
}

/** The FAPI 2.0 mode as resolved from {@link DevIdpFapiOptions}, every choice made. */
export type FapiMode = Required<DevIdpFapiOptions>;

export function resolveFapiMode(options: DevIdpFapiOptions = {}): FapiMode {
  return {
    par: options.par ?? true,
    dpop: options.dpop ?? true,
    privateKeyJwt: options.privateKeyJwt ?? true,
    idTokenSigningAlg: options.idTokenSigningAlg ?? 'ES256',
  };
}

/** The client authentication algorithms FAPI 2.0 allows (FAPI 2.0 Security Profile §5.4). */
const FAPI_SIGNING_ALGS: SigningAlgorithm[] = ['PS256', 'ES256', 'EdDSA'];

/** A fresh EC P-256 key for the ES256 ID tokens of one run (private JWK). */
export async function generateEcSigningKey(): Promise<JWK> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = await exportJWK(privateKey);
  return { ...jwk, kid: `dev-ec-${randomBytes(6).toString('base64url')}`, alg: 'ES256', use: 'sig' };
}

/** The client authentication method a FAPI-mode client registers when it names none. */
export function defaultFapiClientAuthMethod(mode: FapiMode): ClientAuthMethod {
  return mode.privateKeyJwt ? 'private_key_jwt' : 'client_secret_basic';
}

/**
 * What FAPI 2.0 mode changes in the provider's configuration: oidc-provider's FAPI 2.0 profile,
 * PAR required, DPoP with nonces, private_key_jwt only, FAPI algorithms, one ID token algorithm.
 * The RFC 9207 `iss` parameter and PKCE S256 are on in both modes already.
 */
export function fapiConfiguration(
  mode: FapiMode,
): Pick<Configuration, 'clientAuthMethods' | 'enabledJWA' | 'features'> {
  return {
    clientAuthMethods: [defaultFapiClientAuthMethod(mode)],
    enabledJWA: {
      clientAuthSigningAlgValues: FAPI_SIGNING_ALGS,
      idTokenSigningAlgValues: [mode.idTokenSigningAlg],
    },
    features: {
      fapi: { enabled: true, profile: '2.0' },
      pushedAuthorizationRequests: mode.par
        ? { enabled: true, requirePushedAuthorizationRequests: true }
        : { enabled: false },
      dPoP: mode.dpop ? { enabled: true, nonceSecret: randomBytes(32), requireNonce: () => true } : { enabled: false },
    },
  };
}
