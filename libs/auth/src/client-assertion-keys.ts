import { webcrypto, type KeyObject } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import {
  ConfigValidationError,
  OidcConfig,
  readClientKeys,
  type ClientPublicJwk,
  type ClientSigningAlg,
} from '@bff/config';
import * as oidc from 'openid-client';

/** How each client-assertion algorithm imports into WebCrypto (PKCS#8). */
const WEBCRYPTO_ALGORITHMS: Record<
  ClientSigningAlg,
  webcrypto.RsaHashedImportParams | webcrypto.EcKeyImportParams | webcrypto.Algorithm
> = {
  PS256: { name: 'RSA-PSS', hash: 'SHA-256' },
  ES256: { name: 'ECDSA', namedCurve: 'P-256' },
  EdDSA: { name: 'Ed25519' },
};

/**
 * The BFF's keys for `private_key_jwt` (RFC 7523), read once from `OIDC_CLIENT_PRIVATE_KEY`:
 * the public JWK Set that `GET /auth/jwks` serves, and the first key, which signs every
 * client assertion. Empty when the client authenticates with a secret.
 */
@Injectable()
export class ClientAssertionKeys {
  /** The public keys to publish (signing key first), or undefined without private_key_jwt. */
  readonly jwks?: { readonly keys: readonly ClientPublicJwk[] };
  /** The algorithm of the client assertions, or undefined without private_key_jwt. */
  readonly alg?: ClientSigningAlg;
  private signing?: { kid: string; alg: ClientSigningAlg; privateKey: KeyObject };

  constructor(config: OidcConfig) {
    if (config.clientAuthMethod !== 'private_key_jwt') return;
    const read = readClientKeys(config.clientPrivateKey ?? '', config.clientKeyId);
    // Validated at boot already; a config built around that validation is refused the same way.
    if ('problems' in read) throw new ConfigValidationError(read.problems);
    this.signing = read.keys.signing;
    this.alg = read.keys.signing.alg;
    this.jwks = Object.freeze({ keys: Object.freeze(read.keys.jwks.keys.map((jwk) => Object.freeze({ ...jwk }))) });
  }

  /**
   * openid-client's `PrivateKeyJwt` with the signing key imported into WebCrypto, not
   * extractable; the Node key object is dropped afterwards. Call once, at boot.
   */
  async privateKeyJwt(): Promise<oidc.ClientAuth> {
    const signing = this.signing;
    if (!signing) throw new Error('private_key_jwt is not the configured client authentication');
    const der = signing.privateKey.export({ format: 'der', type: 'pkcs8' });
    let key: webcrypto.CryptoKey;
    try {
      key = await webcrypto.subtle.importKey('pkcs8', der, WEBCRYPTO_ALGORITHMS[signing.alg], false, ['sign']);
    } finally {
      der.fill(0);
    }
    this.signing = undefined;
    return oidc.PrivateKeyJwt(
      { key, kid: signing.kid },
      {
        // openid-client names an Ed25519 signature by the fully-specified "Ed25519"; FAPI 2.0 and
        // most providers list "EdDSA" (RFC 8037), the same signature.
        [oidc.modifyAssertion]: (header) => {
          if (signing.alg === 'EdDSA') header.alg = 'EdDSA';
        },
      },
    );
  }
}
