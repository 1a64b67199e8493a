import {
  createHash,
  createPrivateKey,
  createPublicKey,
  sign,
  verify,
  type JsonWebKey,
  type KeyObject,
} from 'node:crypto';

/** The JWS algorithm of a client key follows its type: EC P-256 → ES256, Ed25519 → EdDSA, RSA → PS256. */
export type ClientSigningAlg = 'PS256' | 'ES256' | 'EdDSA';

/**
 * The public half of a client key as `GET /auth/jwks` publishes it: the members that
 * describe the public key, `kid`, `alg` and `use`, and never a private member.
 */
export interface ClientPublicJwk {
  kty: 'RSA' | 'EC' | 'OKP';
  crv?: string;
  x?: string;
  y?: string;
  n?: string;
  e?: string;
  kid: string;
  alg: ClientSigningAlg;
  use: 'sig';
}

/** The keys of `OIDC_CLIENT_PRIVATE_KEY`, read and checked. */
export interface ClientKeySet {
  /** The first key: it signs every client assertion. */
  signing: { kid: string; alg: ClientSigningAlg; privateKey: KeyObject };
  /** Every key's public half, in the configured order (the signing key first). */
  jwks: { keys: ClientPublicJwk[] };
}

const KEY = 'OIDC_CLIENT_PRIVATE_KEY';
const KEY_ID = 'OIDC_CLIENT_KEY_ID';
const FORMATS = 'expected a PKCS#8 PEM private key, a private JWK or a JWK Set {"keys":[…]}';
const SUPPORTED = 'use an EC P-256 (ES256), Ed25519 (EdDSA) or RSA key of at least 2048 bits (PS256)';
/** The public members of each key type, in the order RFC 7638 hashes them. */
const PUBLIC_MEMBERS: Record<ClientPublicJwk['kty'], readonly ('crv' | 'e' | 'n' | 'x' | 'y')[]> = {
  EC: ['crv', 'x', 'y'],
  OKP: ['crv', 'x'],
  RSA: ['e', 'n'],
};

/**
 * A key that cannot be used. Messages name the variable, the position and the rule,
 * never a byte of the key: neither the text given nor a parser's message (OpenSSL and
 * `JSON.parse` may quote their input) is ever part of one.
 */
class KeyProblem extends Error {}

/** The RFC 7638 thumbprint (SHA-256, base64url) of a public JWK: the default `kid`. */
export function jwkThumbprintOf(jwk: Pick<ClientPublicJwk, 'kty' | 'crv' | 'x' | 'y' | 'n' | 'e'>): string {
  const members = [...PUBLIC_MEMBERS[jwk.kty], 'kty' as const].sort();
  const canonical = `{${members.map((name) => `"${name}":${JSON.stringify(jwk[name])}`).join(',')}}`;
  return createHash('sha256').update(canonical).digest('base64url');
}

/** The algorithm a key signs with, or the reason it cannot sign. */
function algorithmOf(key: KeyObject): ClientSigningAlg {
  const details = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case 'rsa':
      if ((details.modulusLength ?? 0) < 2048) {
        throw new KeyProblem(`is an RSA key of ${String(details.modulusLength ?? 0)} bits, too weak; ${SUPPORTED}`);
      }
      return 'PS256';
    case 'ec':
      if (details.namedCurve !== 'prime256v1') {
        throw new KeyProblem(
          `is an EC key on ${details.namedCurve ?? 'an unknown curve'}, not supported; ${SUPPORTED}`,
        );
      }
      return 'ES256';
    case 'ed25519':
      return 'EdDSA';
    default:
      throw new KeyProblem(`is a key of type ${key.asymmetricKeyType ?? 'unknown'}, not supported; ${SUPPORTED}`);
  }
}

/** The public JWK of a (private or public) key, with only the members of its type. */
function publicMembersOf(key: KeyObject): Omit<ClientPublicJwk, 'kid' | 'alg' | 'use'> {
  const exported: JsonWebKey = (key.type === 'private' ? createPublicKey(key) : key).export({ format: 'jwk' });
  const kty = exported.kty as ClientPublicJwk['kty'];
  const jwk: Omit<ClientPublicJwk, 'kid' | 'alg' | 'use'> = { kty };
  for (const name of PUBLIC_MEMBERS[kty]) jwk[name] = exported[name];
  return jwk;
}

function readPem(text: string): KeyObject {
  // A PEM passed through a one-line environment often arrives with literal "\n" escapes.
  const pem = text.includes('\n') ? text : text.replace(/\\n/g, '\n');
  const labels = [...pem.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----/g)].map((match) => match[1]);
  if (labels.length > 1) throw new KeyProblem('holds more than one PEM block; give several keys as a JWK Set');
  const label = labels[0];
  if (label === 'ENCRYPTED PRIVATE KEY') {
    throw new KeyProblem('is an encrypted PEM; give it unencrypted (openssl pkcs8 -topk8 -nocrypt)');
  }
  if (label === 'RSA PRIVATE KEY' || label === 'EC PRIVATE KEY') {
    throw new KeyProblem(`is a PEM "${label}", not PKCS#8; convert it with openssl pkcs8 -topk8 -nocrypt`);
  }
  if (label !== 'PRIVATE KEY')
    throw new KeyProblem('is a PEM block but not a PKCS#8 private key ("BEGIN PRIVATE KEY")');
  try {
    return createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    throw new KeyProblem('is not a readable PKCS#8 PEM private key');
  }
}

/**
 * Node takes some of a JWK's members as given (an Ed25519 "x", an RSA "n"), so a JWK whose
 * public half belongs to another key would load and then sign what no published key verifies.
 * The given public members are compared with those derived, and a signature checked.
 */
function assertPublicMembersMatch(given: Record<string, unknown>, key: KeyObject): void {
  const derived = publicMembersOf(key);
  const mismatch = PUBLIC_MEMBERS[derived.kty].find(
    (name) => given[name] !== undefined && given[name] !== derived[name],
  );
  if (mismatch !== undefined)
    throw new KeyProblem(`its public member "${mismatch}" does not belong to its private key`);
  const probe = Buffer.from('client key self-test');
  const digest = derived.kty === 'OKP' ? null : 'sha256';
  let verified = false;
  try {
    verified = verify(digest, probe, createPublicKey(key), sign(digest, probe, key));
  } catch {
    // An inconsistent RSA key may fail inside OpenSSL instead of verifying false.
  }
  if (!verified) throw new KeyProblem('has public members that do not belong to its private key');
}

interface ReadJwk {
  key: KeyObject;
  kid?: string;
  /** The JWK's own `alg`, which must be the one its key signs with. */
  alg?: unknown;
}

function readJwk(value: unknown, mustBePrivate: boolean): ReadJwk {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new KeyProblem('is not a JWK (a JSON object)');
  }
  const jwk = value as Record<string, unknown>;
  if (jwk.kty === 'oct') throw new KeyProblem(`is a symmetric key (kty "oct") and cannot sign; ${SUPPORTED}`);
  if (!['RSA', 'EC', 'OKP'].includes(jwk.kty as string)) throw new KeyProblem(`has no supported "kty"; ${SUPPORTED}`);
  if (jwk.use !== undefined && jwk.use !== 'sig') throw new KeyProblem('has a "use" other than "sig"');
  if (jwk.kid !== undefined && (typeof jwk.kid !== 'string' || !/^[\x21-\x7e]{1,128}$/.test(jwk.kid))) {
    throw new KeyProblem('has a "kid" that is not 1-128 printable ASCII characters');
  }
  const hasPrivate = jwk.d !== undefined;
  if (mustBePrivate && !hasPrivate) throw new KeyProblem('is a public key (no "d"); the signing key must be private');
  let key: KeyObject;
  try {
    key = hasPrivate
      ? createPrivateKey({ key: jwk as JsonWebKey, format: 'jwk' })
      : createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
  } catch {
    throw new KeyProblem(`is not a valid ${String(jwk.kty)} ${hasPrivate ? 'private' : 'public'} JWK`);
  }
  if (hasPrivate) assertPublicMembersMatch(jwk, key);
  return { key, kid: jwk.kid, alg: jwk.alg };
}

/** The parsed JSON, or a problem that quotes nothing of it. */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new KeyProblem(`is not valid JSON; ${FORMATS}`);
  }
}

/** The configured keys in order, each with the `kid` it gave (if any). */
function readKeys(text: string): { keys: ReadJwk[]; isSet: boolean } {
  const trimmed = text.trim();
  if (trimmed.startsWith('-----BEGIN')) return { keys: [{ key: readPem(trimmed) }], isSet: false };
  if (!trimmed.startsWith('{')) throw new KeyProblem(FORMATS);
  const parsed = parseJson(trimmed) as Record<string, unknown>;
  if (!('keys' in parsed)) return { keys: [readJwk(parsed, true)], isSet: false };
  if (!Array.isArray(parsed.keys) || parsed.keys.length === 0) {
    throw new KeyProblem('is a JWK Set without keys; "keys" must be a non-empty array');
  }
  const keys = parsed.keys.map((item: unknown, index) => {
    try {
      return readJwk(item, index === 0);
    } catch (error) {
      if (error instanceof KeyProblem) throw new KeyProblem(`keys[${String(index)}] ${error.message}`);
      throw error;
    }
  });
  return { keys, isSet: true };
}

/**
 * Reads `OIDC_CLIENT_PRIVATE_KEY` (with `OIDC_CLIENT_KEY_ID`): a PKCS#8 PEM, a private
 * JWK or a JWK Set whose first key signs and whose every key is published. Returns the
 * keys, or problems naming the variable (never any key material).
 */
export function readClientKeys(
  text: string,
  keyId: string | undefined,
): { keys: ClientKeySet } | { problems: string[] } {
  let read: { keys: ReadJwk[]; isSet: boolean };
  const published: ClientPublicJwk[] = [];
  try {
    read = readKeys(text);
    read.keys.forEach(({ key, kid, alg: declared }, index) => {
      const where = read.isSet ? `keys[${String(index)}] ` : '';
      let alg: ClientSigningAlg;
      try {
        alg = algorithmOf(key);
      } catch (error) {
        throw error instanceof KeyProblem ? new KeyProblem(`${where}${error.message}`) : error;
      }
      if (declared !== undefined && declared !== alg) {
        throw new KeyProblem(`${where}declares an "alg" other than ${alg}, the algorithm its key type signs with`);
      }
      const members = publicMembersOf(key);
      published.push({ ...members, kid: kid ?? keyId ?? jwkThumbprintOf(members), alg, use: 'sig' });
    });
  } catch (error) {
    if (error instanceof KeyProblem) return { problems: [`${KEY}: ${error.message}`] };
    throw error;
  }
  const problems: string[] = [];
  if (keyId !== undefined && read.isSet) {
    problems.push(`${KEY_ID}: names the kid of a single key; in a JWK Set give each key its own "kid"`);
  } else if (keyId !== undefined && read.keys[0]?.kid !== undefined && read.keys[0].kid !== keyId) {
    problems.push(`${KEY_ID}: differs from the "kid" of the JWK in ${KEY}; keep one of the two`);
  }
  const kids = published.map((jwk) => jwk.kid);
  kids.forEach((kid, index) => {
    const first = kids.indexOf(kid);
    if (first !== index) problems.push(`${KEY}: keys[${String(first)}] and keys[${String(index)}] have the same kid`);
  });
  if (problems.length > 0) return { problems };
  const signing = published[0] as ClientPublicJwk;
  return {
    keys: {
      signing: { kid: signing.kid, alg: signing.alg, privateKey: read.keys[0]?.key as KeyObject },
      jwks: { keys: published },
    },
  };
}
