import { createHash } from 'node:crypto';

/** The algorithms a {@link DpopKey} signs with: ECDSA P-256 (the default) or Ed25519. */
export type DpopAlgorithm = 'ES256' | 'EdDSA';

/**
 * The public JWK of a DPoP key: exactly the members RFC 7638 hashes into the thumbprint, never
 * a private one. It is the `jwk` header of every proof.
 */
export type DpopPublicJwk =
  | { readonly kty: 'EC'; readonly crv: 'P-256'; readonly x: string; readonly y: string }
  | { readonly kty: 'OKP'; readonly crv: 'Ed25519'; readonly x: string };

/**
 * The private JWK of a DPoP key, as {@link DpopKey.toPrivateJwk} gives it and
 * {@link DpopKey.fromPrivateJwk} takes it back: to be sealed (the encrypted session or store),
 * never logged or sent.
 */
export type DpopPrivateJwk =
  | { kty: 'EC'; crv: 'P-256'; alg: 'ES256'; x: string; y: string; d: string }
  | { kty: 'OKP'; crv: 'Ed25519'; alg: 'EdDSA'; x: string; d: string };

/** A public RSA JWK (a verifier accepts PS256 proofs). */
export interface RsaPublicJwk {
  readonly kty: 'RSA';
  readonly n: string;
  readonly e: string;
}

/** The members RFC 7638 §3.2 hashes, per key type, in lexicographic order. */
const THUMBPRINT_MEMBERS: Readonly<Record<string, readonly string[]>> = {
  EC: ['crv', 'kty', 'x', 'y'],
  OKP: ['crv', 'kty', 'x'],
  RSA: ['e', 'kty', 'n'],
};

/** JWK members that hold private key material (RFC 7518 §6.2.2, §6.3.2, §6.4; RFC 8037 §2). */
export const PRIVATE_JWK_MEMBERS: readonly string[] = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

/**
 * The RFC 7638 JWK thumbprint (base64url of SHA-256) of an EC, OKP or RSA public key: the value
 * an access token bound to the key carries in `cnf.jkt` (RFC 9449 §6.1).
 *
 * @throws TypeError for another key type or a missing member.
 */
export function jwkThumbprint(jwk: DpopPublicJwk | RsaPublicJwk | Readonly<Record<string, unknown>>): string {
  const kty = (jwk as { kty?: unknown }).kty;
  const members = typeof kty === 'string' ? THUMBPRINT_MEMBERS[kty] : undefined;
  if (!members) throw new TypeError('a JWK thumbprint needs an EC, OKP or RSA key');
  const parts = members.map((name) => {
    const value = (jwk as Record<string, unknown>)[name];
    if (typeof value !== 'string') throw new TypeError(`a JWK thumbprint needs the "${name}" member`);
    return `${JSON.stringify(name)}:${JSON.stringify(value)}`;
  });
  return createHash('sha256')
    .update(`{${parts.join(',')}}`)
    .digest('base64url');
}

/** The base64url SHA-256 of an access token: the proof's `ath` claim (RFC 9449 §4.2). */
export function accessTokenHash(accessToken: string): string {
  return createHash('sha256').update(accessToken, 'utf8').digest('base64url');
}

/** 32 bytes, base64url without padding: every P-256 coordinate and scalar, every Ed25519 key. */
export const B64URL_32_BYTES = /^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/;
