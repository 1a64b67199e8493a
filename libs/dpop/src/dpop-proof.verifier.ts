import { constants, createPublicKey, verify } from 'node:crypto';
import type { KeyObject, VerifyKeyObjectInput } from 'node:crypto';
import { DpopProofError } from './dpop.errors';
import type { DpopProofFailure } from './dpop.errors';
import { htuMatches } from './dpop-htu';
import { accessTokenHash, jwkThumbprint, PRIVATE_JWK_MEMBERS } from './dpop-jwk';
import type { DpopPublicJwk, RsaPublicJwk } from './dpop-jwk';
import type { DpopReplayCache } from './dpop-replay.cache';

/**
 * The proof algorithms a verifier may accept: asymmetric only (RFC 9449 §4.3 rule 5). `Ed25519`
 * is RFC 9864's name for `EdDSA` over Ed25519, which openid-client's DPoP handle sends.
 */
export type DpopVerifyAlgorithm = 'ES256' | 'EdDSA' | 'Ed25519' | 'PS256';

/** The default allow-list of {@link verifyDpopProof}. */
export const DPOP_VERIFY_ALGORITHMS: readonly DpopVerifyAlgorithm[] = ['ES256', 'EdDSA', 'Ed25519', 'PS256'];

/** A proof and the request it came with. */
export interface DpopProofCheck {
  /** The `DPoP` header's value: exactly one header (the caller counts them). */
  proof: string;
  /** The request's method. */
  htm: string;
  /** The request's target URI as this server knows it (its query, if any, is ignored). */
  htu: string | URL;
  /** The access token presented with the proof: then `ath` must be its hash. */
  accessToken?: string;
  /** The token's `cnf.jkt`: then the proof's key must have this thumbprint. */
  expectedJkt?: string;
  /** The server nonce(s) currently accepted: then the proof must carry one of them. */
  nonce?: string | readonly string[];
  /** Records each accepted `jti`, so that a proof is accepted once. */
  replayCache: DpopReplayCache;
  /** The verifier's clock, seconds since the epoch (default: now). */
  now?: number;
  /** How old a proof may be, in seconds (default 60); also how long its `jti` is remembered. */
  maxAgeSeconds?: number;
  /** How far ahead of this clock a proof's `iat` may be, in seconds (default 5). */
  clockSkewSeconds?: number;
  /** Accepted algorithms (default {@link DPOP_VERIFY_ALGORITHMS}). */
  algorithms?: readonly DpopVerifyAlgorithm[];
}

/** An accepted proof. */
export interface VerifiedDpopProof {
  alg: DpopVerifyAlgorithm;
  /** The public key that signed it, with only the members RFC 7638 hashes. */
  jwk: DpopPublicJwk | RsaPublicJwk;
  /** The key's RFC 7638 thumbprint. */
  jkt: string;
  jti: string;
  iat: number;
  nonce?: string;
}

/** Far above any real proof (an RSA-4096 `jwk` and a long `htu`), far below a body. */
const MAX_PROOF_LENGTH = 16_384;
const MAX_JTI_LENGTH = 256;
const SEGMENT = /^[A-Za-z0-9_-]+$/;
const KEY_CACHE_SIZE = 1000;

/** What each algorithm needs of the embedded key, and how its signature is checked. */
const KEY_RULES: Record<DpopVerifyAlgorithm, { kty: string; crv?: string }> = {
  ES256: { kty: 'EC', crv: 'P-256' },
  EdDSA: { kty: 'OKP', crv: 'Ed25519' },
  Ed25519: { kty: 'OKP', crv: 'Ed25519' },
  PS256: { kty: 'RSA' },
};

// Public keys by thumbprint: a session's proofs repeat one key, so it is imported once.
const keyCache = new Map<string, KeyObject>();

const fail = (reason: DpopProofFailure, message: string): never => {
  throw new DpopProofError(reason, message);
};

/**
 * Verifies a DPoP proof (RFC 9449 §4.3) against the request it came with and, given one, the
 * access token (§7.1): typ `dpop+jwt`; `alg` in the allow-list and matching the embedded public
 * `jwk` (which must have no private member); the signature; `htm`; `htu` by the rule of
 * {@link htuMatches}; the server nonce when one is required; `iat` within the window; `ath`;
 * the key's thumbprint against `cnf.jkt`; and, last, the `jti` not seen before.
 *
 * @throws DpopProofError whose `reason` names the first failed check.
 */
export async function verifyDpopProof(check: DpopProofCheck): Promise<VerifiedDpopProof> {
  const { header, claims, signingInput, signature } = decode(check.proof);
  // A media type, compared case-insensitively; "application/" may be left out (RFC 7515 §4.1.9).
  const typ = typeof header.typ === 'string' ? header.typ.toLowerCase() : '';
  if (typ !== 'dpop+jwt' && typ !== 'application/dpop+jwt') {
    fail('typ', 'the proof\'s "typ" is not dpop+jwt');
  }
  if (header.crit !== undefined) fail('malformed', 'the proof has critical header parameters');
  const alg = header.alg;
  const algorithms = check.algorithms ?? DPOP_VERIFY_ALGORITHMS;
  if (typeof alg !== 'string' || !(algorithms as readonly string[]).includes(alg)) {
    return fail('alg', 'the proof\'s "alg" is not an accepted algorithm');
  }
  const { jwk, jkt, key } = embeddedKey(header.jwk, alg as DpopVerifyAlgorithm);
  if (!verifies(alg as DpopVerifyAlgorithm, key, signingInput, signature)) {
    fail('signature', 'the proof\'s signature does not verify with its "jwk"');
  }

  const { jti, htm, htu, iat, ath, nonce } = claims;
  if (typeof jti !== 'string' || jti === '' || jti.length > MAX_JTI_LENGTH)
    fail('malformed', 'the proof has no valid "jti"');
  if (typeof htm !== 'string' || typeof htu !== 'string') fail('malformed', 'the proof has no "htm" or "htu"');
  if (typeof iat !== 'number' || !Number.isFinite(iat)) return fail('malformed', 'the proof has no numeric "iat"');
  if (nonce !== undefined && typeof nonce !== 'string') fail('malformed', 'the proof\'s "nonce" is not a string');
  if (htm !== check.htm) fail('htm', 'the proof is for another HTTP method');
  if (!htuMatches(htu as string, check.htu)) fail('htu', 'the proof is for another URI');
  if (check.nonce !== undefined) {
    const accepted = typeof check.nonce === 'string' ? [check.nonce] : check.nonce;
    if (typeof nonce !== 'string' || !accepted.includes(nonce))
      fail('nonce', 'the proof needs the current server nonce');
  }
  const now = check.now ?? Date.now() / 1000;
  const maxAge = check.maxAgeSeconds ?? 60;
  const skew = check.clockSkewSeconds ?? 5;
  if (iat < now - maxAge) fail('iat', 'the proof is too old');
  if (iat > now + skew) fail('iat', 'the proof was issued in the future');
  if (check.accessToken !== undefined && ath !== accessTokenHash(check.accessToken)) {
    fail('ath', 'the proof is not bound to the access token ("ath")');
  }
  if (check.expectedJkt !== undefined && jkt !== check.expectedJkt) {
    fail('jkt', 'the proof is signed by another key than the access token is bound to');
  }
  // Last, so a proof refused for any other reason does not use up its jti.
  const fresh = await check.replayCache.markUsed(jti as string, { now, expiresAt: iat + maxAge + skew });
  if (!fresh) fail('replay', 'the proof\'s "jti" was already used');
  return {
    alg: alg as DpopVerifyAlgorithm,
    jwk,
    jkt,
    jti: jti as string,
    iat,
    ...(typeof nonce === 'string' ? { nonce } : {}),
  };
}

interface DecodedProof {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
  signingInput: Buffer;
  signature: Buffer;
}

function decode(proof: unknown): DecodedProof {
  if (typeof proof !== 'string' || proof.length > MAX_PROOF_LENGTH) return fail('malformed', 'the proof is not a JWT');
  const parts = proof.split('.');
  // An empty signature is left to the algorithm check: "none" is refused as an algorithm.
  if (
    parts.length !== 3 ||
    !SEGMENT.test(parts[0] ?? '') ||
    !SEGMENT.test(parts[1] ?? '') ||
    !/^[\w-]*$/.test(parts[2] ?? '')
  ) {
    return fail('malformed', 'the proof is not a compact JWS');
  }
  const [header, claims, signature] = parts as [string, string, string];
  return {
    header: jsonObject(header, 'header'),
    claims: jsonObject(claims, 'claims'),
    signingInput: Buffer.from(`${header}.${claims}`, 'latin1'),
    signature: Buffer.from(signature, 'base64url'),
  };
}

function jsonObject(segment: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    return fail('malformed', `the proof's ${what} is not JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return fail('malformed', `the proof's ${what} is not a JSON object`);
  }
  return value as Record<string, unknown>;
}

/** The embedded `jwk`, checked against `alg`, reduced to its public members, and imported. */
function embeddedKey(
  value: unknown,
  alg: DpopVerifyAlgorithm,
): { jwk: DpopPublicJwk | RsaPublicJwk; jkt: string; key: KeyObject } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return fail('jwk', 'the proof has no "jwk" header');
  }
  const members = value as Record<string, unknown>;
  if (PRIVATE_JWK_MEMBERS.some((name) => name in members)) fail('jwk', 'the proof\'s "jwk" has a private member');
  const rule = KEY_RULES[alg];
  if (members.kty !== rule.kty || (rule.crv !== undefined && members.crv !== rule.crv)) {
    fail('alg', `the proof's "jwk" is not a key for ${alg}`);
  }
  const jwk = publicMembers(members);
  const jkt = jwkThumbprint(jwk);
  let key = keyCache.get(jkt);
  if (!key) {
    try {
      key = createPublicKey({ key: { ...jwk }, format: 'jwk' });
    } catch {
      return fail('jwk', 'the proof\'s "jwk" is not a valid public key');
    }
    if (jwk.kty === 'RSA' && (key.asymmetricKeyDetails?.modulusLength ?? 0) < 2048) {
      fail('jwk', "the proof's RSA key is shorter than 2048 bits");
    }
    if (keyCache.size >= KEY_CACHE_SIZE) keyCache.clear();
    keyCache.set(jkt, key);
  }
  return { jwk, jkt, key };
}

function publicMembers(members: Record<string, unknown>): DpopPublicJwk | RsaPublicJwk {
  const text = (name: string): string => {
    const value = members[name];
    return typeof value === 'string' && value !== '' && SEGMENT.test(value)
      ? value
      : fail('jwk', `the proof's "jwk" has no valid "${name}"`);
  };
  if (members.kty === 'EC') return { kty: 'EC', crv: 'P-256', x: text('x'), y: text('y') };
  if (members.kty === 'OKP') return { kty: 'OKP', crv: 'Ed25519', x: text('x') };
  return { kty: 'RSA', n: text('n'), e: text('e') };
}

function verifies(alg: DpopVerifyAlgorithm, key: KeyObject, data: Buffer, signature: Buffer): boolean {
  let args: [string | null, KeyObject | VerifyKeyObjectInput];
  if (alg === 'ES256') args = ['sha256', { key, dsaEncoding: 'ieee-p1363' }];
  else if (alg === 'PS256') args = ['sha256', { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }];
  else args = [null, key];
  try {
    return verify(args[0], data, args[1], signature);
  } catch {
    return false; // a signature of the wrong length or encoding
  }
}
