import {
  createECDH,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomFillSync,
  sign,
  webcrypto,
} from 'node:crypto';
import type { KeyObject, SignKeyObjectInput } from 'node:crypto';
import { inspect } from 'node:util';
import { DpopKeyError } from './dpop.errors';
import { accessTokenHash, B64URL_32_BYTES, jwkThumbprint } from './dpop-jwk';
import type { DpopAlgorithm, DpopPrivateJwk, DpopPublicJwk } from './dpop-jwk';

/** What one proof is for (RFC 9449 §4.2). */
export interface DpopProofInput {
  /** The request's method, e.g. `GET`. */
  htm: string;
  /**
   * The request's target URI without query and fragment: {@link htuOf} of the URL. Anything from
   * a `?` or `#` on is cut off here, so a query string never reaches a proof.
   */
  htu: string;
  /** The access token sent with the proof; its hash becomes the `ath` claim. */
  accessToken?: string;
  /** The server's last `DPoP-Nonce` for this origin, when it gave one. */
  nonce?: string;
  /** Creation time in seconds since the epoch (default: now). */
  iat?: number;
}

const ALGORITHMS: Readonly<
  Record<DpopAlgorithm, { kty: string; crv: string; web: webcrypto.EcKeyImportParams | webcrypto.Algorithm }>
> = {
  ES256: { kty: 'EC', crv: 'P-256', web: { name: 'ECDSA', namedCurve: 'P-256' } },
  EdDSA: { kty: 'OKP', crv: 'Ed25519', web: { name: 'Ed25519' } },
};
const PRIVATE_MEMBERS: Readonly<Record<DpopAlgorithm, readonly string[]>> = {
  ES256: ['kty', 'crv', 'alg', 'x', 'y', 'd'],
  EdDSA: ['kty', 'crv', 'alg', 'x', 'd'],
};

// jti values (RFC 9449 §4.2: enough entropy that a collision is negligible): 128 random bits
// each, drawn from a pool refilled in one call, since a randomBytes call per proof costs more
// than the bytes. A jti is public once sent, so holding the next few in memory reveals nothing.
const JTI_BYTES = 16;
const jtiPool = Buffer.alloc(JTI_BYTES * 256);
let jtiOffset = jtiPool.length;

function nextJti(): string {
  if (jtiOffset === jtiPool.length) {
    randomFillSync(jtiPool);
    jtiOffset = 0;
  }
  const start = jtiOffset;
  jtiOffset += JTI_BYTES;
  return jtiPool.toString('base64url', start, jtiOffset);
}

/**
 * A DPoP key pair (RFC 9449): one per session, or one per BFF instance for its own client
 * token. It signs proofs and never shows its private half: `toString`, `JSON.stringify`,
 * `util.inspect` and every error name the algorithm and thumbprint only. The private JWK leaves
 * through {@link DpopKey.toPrivateJwk} alone, to be sealed.
 */
export class DpopKey {
  /** The RFC 7638 thumbprint of the public key: the `cnf.jkt` of the tokens bound to it. */
  readonly thumbprint: string;
  readonly #privateKey: KeyObject;
  readonly #signKey: KeyObject | SignKeyObjectInput;
  readonly #digest: 'sha256' | null;
  /** The base64url JOSE header and the dot after it: the same for every proof of this key. */
  readonly #headerPart: string;
  #keyPair: Promise<webcrypto.CryptoKeyPair> | undefined;
  #lastToken: string | undefined;
  #lastAth = '';

  private constructor(
    /** The JWS algorithm of every proof. */
    readonly alg: DpopAlgorithm,
    privateKey: KeyObject,
    /** The public key as a JWK with only the members RFC 7638 hashes. */
    readonly publicJwk: DpopPublicJwk,
  ) {
    this.#privateKey = privateKey;
    this.#digest = alg === 'ES256' ? 'sha256' : null;
    // JWS ES256 signatures are r‖s (RFC 7518 §3.4), not OpenSSL's default DER.
    this.#signKey = alg === 'ES256' ? { key: privateKey, dsaEncoding: 'ieee-p1363' } : privateKey;
    this.thumbprint = jwkThumbprint(publicJwk);
    const header = JSON.stringify({ typ: 'dpop+jwt', alg, jwk: publicJwk });
    this.#headerPart = `${Buffer.from(header).toString('base64url')}.`;
    Object.freeze(publicJwk);
  }

  /** A new random key for `alg` (default ES256). */
  static generate(alg: DpopAlgorithm = 'ES256'): DpopKey {
    const { privateKey } =
      alg === 'ES256' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('ed25519');
    return new DpopKey(alg, privateKey, publicJwkOf(alg, privateKey));
  }

  /**
   * The key {@link DpopKey.toPrivateJwk} gave, back from its sealed storage. Checks that `alg`,
   * `kty` and `crv` agree, that every member is there and well formed, that there is no other
   * member, and that the public members belong to the private key.
   *
   * @throws DpopKeyError naming the first failed check (never a member's value).
   */
  static fromPrivateJwk(jwk: unknown): DpopKey {
    if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) {
      throw new DpopKeyError('a DPoP private key must be a JWK object');
    }
    const members = jwk as Record<string, unknown>;
    const alg = members.alg;
    if (alg !== 'ES256' && alg !== 'EdDSA') {
      throw new DpopKeyError('a DPoP private key must have "alg" ES256 or EdDSA');
    }
    const { kty, crv } = ALGORITHMS[alg];
    if (members.kty !== kty || members.crv !== crv) {
      throw new DpopKeyError(`a DPoP ${alg} key must have "kty" ${kty} and "crv" ${crv}`);
    }
    const expected = PRIVATE_MEMBERS[alg];
    for (const name of Object.keys(members)) {
      if (!expected.includes(name)) throw new DpopKeyError(`a DPoP ${alg} key has no "${name}" member`);
    }
    for (const name of expected.slice(3)) {
      const value = members[name];
      if (typeof value !== 'string' || !B64URL_32_BYTES.test(value)) {
        throw new DpopKeyError(`the "${name}" member of a DPoP ${alg} key must be 32 bytes, base64url`);
      }
    }
    // Node takes a JWK's public members as given, so they are derived from "d" and compared.
    let privateKey: KeyObject;
    let publicJwk: DpopPublicJwk;
    try {
      privateKey = privateKeyFromScalar(alg, Buffer.from(members.d as string, 'base64url'));
      publicJwk = publicJwkOf(alg, privateKey);
    } catch {
      // The cause is not kept: an error about key material is no place to risk quoting it.
      throw new DpopKeyError(`the DPoP ${alg} key is not a valid private key`);
    }
    if (publicJwk.x !== members.x || (publicJwk.kty === 'EC' && publicJwk.y !== members.y)) {
      throw new DpopKeyError(`the public members of the DPoP ${alg} key do not match its private key`);
    }
    return new DpopKey(alg, privateKey, publicJwk);
  }

  /** The private JWK, for sealing into the encrypted session or store: the one way key material leaves. */
  toPrivateJwk(): DpopPrivateJwk {
    const { d } = this.#privateKey.export({ format: 'jwk' });
    return { ...this.publicJwk, alg: this.alg, d } as DpopPrivateJwk;
  }

  /**
   * The key as a WebCrypto pair (private half not extractable), for openid-client's
   * `getDPoPHandle` at the token endpoint. Imported once per key.
   */
  cryptoKeyPair(): Promise<webcrypto.CryptoKeyPair> {
    this.#keyPair ??= this.#importKeyPair().catch((err: unknown) => {
      this.#keyPair = undefined;
      throw err;
    });
    return this.#keyPair;
  }

  /**
   * A fresh DPoP proof (compact JWS, RFC 9449 §4.2) for one request: header `typ` dpop+jwt,
   * `alg` and this key's public `jwk`; claims `jti` (128 random bits), `htm`, `htu`, `iat`,
   * `ath` with an access token, `nonce` when one is given. Synchronous; costs one signature.
   */
  proof(input: DpopProofInput): string {
    const signingInput = this.#signingInput(input);
    return `${signingInput}.${sign(this.#digest, Buffer.from(signingInput, 'latin1'), this.#signKey).toString('base64url')}`;
  }

  /**
   * The same proof as {@link DpopKey.proof}, signed on libuv's thread pool: the event loop pays
   * for the claims only, the signature runs beside it.
   */
  proofAsync(input: DpopProofInput): Promise<string> {
    const signingInput = this.#signingInput(input);
    return new Promise((resolve, reject) => {
      sign(this.#digest, Buffer.from(signingInput, 'latin1'), this.#signKey, (err, signature) => {
        if (err) reject(err);
        else resolve(`${signingInput}.${signature.toString('base64url')}`);
      });
    });
  }

  /** The public JWK: serialising a key never writes its private half. */
  toJSON(): DpopPublicJwk {
    return this.publicJwk;
  }

  toString(): string {
    return `DpopKey(${this.alg}, jkt=${this.thumbprint})`;
  }

  [inspect.custom](): string {
    return this.toString();
  }

  #signingInput({ htm, htu, accessToken, nonce, iat }: DpopProofInput): string {
    const cut = htu.search(/[?#]/);
    const target = cut === -1 ? htu : htu.slice(0, cut);
    let claims = `{"jti":"${nextJti()}","htm":${JSON.stringify(htm)},"htu":${JSON.stringify(target)},"iat":${String(
      iat ?? Math.floor(Date.now() / 1000),
    )}`;
    if (accessToken !== undefined) claims += `,"ath":"${this.#athOf(accessToken)}"`;
    if (nonce !== undefined) claims += `,"nonce":${JSON.stringify(nonce)}`;
    return this.#headerPart + Buffer.from(`${claims}}`).toString('base64url');
  }

  /** Proxied calls of a session repeat one access token until it is refreshed: hash it once. */
  #athOf(accessToken: string): string {
    if (accessToken !== this.#lastToken) {
      this.#lastAth = accessTokenHash(accessToken);
      this.#lastToken = accessToken;
    }
    return this.#lastAth;
  }

  async #importKeyPair(): Promise<webcrypto.CryptoKeyPair> {
    const { web } = ALGORITHMS[this.alg];
    const { alg: _alg, ...privateJwk } = this.toPrivateJwk();
    const [privateKey, publicKey] = await Promise.all([
      webcrypto.subtle.importKey('jwk', privateJwk, web, false, ['sign']),
      webcrypto.subtle.importKey('jwk', { ...this.publicJwk }, web, true, ['verify']),
    ]);
    return { privateKey, publicKey };
  }
}

// DER prefixes of PKCS#8 private keys holding only the 32-byte scalar (RFC 8410 §7; RFC 5915
// without the optional public key, which OpenSSL then computes from the scalar).
const ED25519_PKCS8 = Buffer.from('302e020100300506032b657004220420', 'hex');
const P256_PKCS8 = Buffer.from('3041020100301306072a8648ce3d020106082a8648ce3d030107042730250201010420', 'hex');

function privateKeyFromScalar(alg: DpopAlgorithm, d: Buffer): KeyObject {
  // OpenSSL's PKCS#8 import takes any 32 bytes; ECDH refuses a P-256 scalar out of [1, n-1].
  if (alg === 'ES256') createECDH('prime256v1').setPrivateKey(d);
  const der = Buffer.concat([alg === 'ES256' ? P256_PKCS8 : ED25519_PKCS8, d]);
  try {
    return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  } finally {
    der.fill(0);
  }
}

function publicJwkOf(alg: DpopAlgorithm, privateKey: KeyObject): DpopPublicJwk {
  const { x, y } = createPublicKey(privateKey).export({ format: 'jwk' });
  if (alg === 'ES256') return { kty: 'EC', crv: 'P-256', x: x ?? '', y: y ?? '' };
  return { kty: 'OKP', crv: 'Ed25519', x: x ?? '' };
}
