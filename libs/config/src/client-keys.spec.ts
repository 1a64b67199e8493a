import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { calculateJwkThumbprint } from 'jose';
import { readClientKeys, type ClientKeySet } from './client-keys';

const ec = (curve = 'P-256') => generateKeyPairSync('ec', { namedCurve: curve }).privateKey;
const rsa = (bits = 2048) => generateKeyPairSync('rsa', { modulusLength: bits }).privateKey;
const ed25519 = () => generateKeyPairSync('ed25519').privateKey;
const pemOf = (key: KeyObject) => key.export({ format: 'pem', type: 'pkcs8' }) as string;
const jwkOf = (key: KeyObject, extra: Record<string, unknown> = {}) => ({ ...key.export({ format: 'jwk' }), ...extra });
const publicJwkOf = (key: KeyObject) => {
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...rest } = key.export({ format: 'jwk' });
  return rest;
};

function keysOf(text: string, keyId?: string): ClientKeySet {
  const read = readClientKeys(text, keyId);
  if ('problems' in read) throw new Error(`unexpected problems: ${read.problems.join('; ')}`);
  return read.keys;
}

function problemsOf(text: string, keyId?: string): string[] {
  const read = readClientKeys(text, keyId);
  if (!('problems' in read)) throw new Error('expected the key to be refused');
  return read.problems;
}

/** The body of a PEM (its base64 lines) and a JWK's private members: what must never be quoted. */
function secretPartsOf(key: KeyObject): string[] {
  const body = pemOf(key)
    .split('\n')
    .filter((line) => line && !line.startsWith('-----'));
  const jwk = key.export({ format: 'jwk' }) as Record<string, string>;
  return [...body, ...['d', 'p', 'q', 'dp', 'dq', 'qi'].flatMap((name) => (jwk[name] ? [jwk[name]] : []))];
}

/**
 * A JWK whose public members are not its private key's: Node 20 imports it and the self-check
 * refuses it; Node 24 (newer OpenSSL) already refuses the import. Either way it never loads.
 */
const MISMATCH = /does not belong|do not belong|is not a valid (OKP|RSA) private JWK/;

describe('refusing client keys, naming the variable and never the key', () => {
  const weakRsa = rsa(1024);
  const p384 = ec('P-384');
  const secp256k1 = ec('secp256k1');
  const ed448 = generateKeyPairSync('ed448').privateKey;
  const good = ec();
  const ed = ed25519();
  const strong = rsa();
  const cases: [string, string, RegExp][] = [
    ['an RSA key under 2048 bits', pemOf(weakRsa), /RSA key of 1024 bits, too weak/],
    ['an EC key on P-384', pemOf(p384), /EC key on secp384r1, not supported/],
    ['an EC key on secp256k1', pemOf(secp256k1), /EC key on secp256k1, not supported/],
    ['an Ed448 key', pemOf(ed448), /key of type ed448, not supported/],
    ['a PKCS#1 RSA PEM', rsa().export({ format: 'pem', type: 'pkcs1' }) as string, /not PKCS#8/],
    ['a SEC1 EC PEM', good.export({ format: 'pem', type: 'sec1' }) as string, /not PKCS#8/],
    [
      'an encrypted PEM',
      good.export({ format: 'pem', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: 'pw' }) as string,
      /encrypted PEM/,
    ],
    [
      'a public key PEM',
      createPublicKey(good).export({ format: 'pem', type: 'spki' }) as string,
      /not a PKCS#8 private key/,
    ],
    ['two PEM blocks', `${pemOf(good)}\n${pemOf(ec())}`, /more than one PEM block/],
    ['a damaged PEM', pemOf(good).replace(/[A-Za-z]{8}/, 'AAAAAAAA'), /not a readable PKCS#8 PEM private key/],
    ['plain text', 'not a key at all', /expected a PKCS#8 PEM private key, a private JWK or a JWK Set/],
    ['broken JSON', `{"kty":"EC","d":"${String(jwkOf(good).d)}"`, /is not valid JSON/],
    ['a symmetric JWK', JSON.stringify({ kty: 'oct', k: 'c2VjcmV0LXNlY3JldC1zZWNyZXQ' }), /symmetric key/],
    ['a public JWK alone', JSON.stringify(publicJwkOf(good)), /public key \(no "d"\)/],
    ['a JWK for encryption', JSON.stringify(jwkOf(good, { use: 'enc' })), /"use" other than "sig"/],
    ['an RSA JWK declaring RS256', JSON.stringify(jwkOf(rsa(), { alg: 'RS256' })), /"alg" other than PS256/],
    ['a JWK with a spaced kid', JSON.stringify(jwkOf(good, { kid: 'a kid' })), /"kid" that is not 1-128 printable/],
    ['an EC JWK whose x is not its own', JSON.stringify({ ...jwkOf(good), x: jwkOf(ec()).x }), /not a valid EC/],
    ['an Ed25519 JWK whose x is not its own', JSON.stringify({ ...jwkOf(ed), x: jwkOf(ed25519()).x }), MISMATCH],
    ['an RSA JWK whose n is not its own', JSON.stringify({ ...jwkOf(strong), n: jwkOf(rsa()).n }), MISMATCH],
    ['a JWK that is not a key', JSON.stringify({ kty: 'EC', crv: 'P-256', d: 'AAAA' }), /not a valid EC private JWK/],
    ['an empty JWK Set', JSON.stringify({ keys: [] }), /JWK Set without keys/],
    [
      'a JWK Set led by a public key',
      JSON.stringify({ keys: [publicJwkOf(good), jwkOf(ec())] }),
      /keys\[0\] is a public/,
    ],
    ['a JWK Set with a weak key', JSON.stringify({ keys: [jwkOf(good), jwkOf(weakRsa)] }), /keys\[1\] is an RSA key/],
    ['a JWK Set with a non-object', JSON.stringify({ keys: [jwkOf(good), 'x'] }), /keys\[1\] is not a JWK/],
    [
      'a JWK Set with two equal kids',
      JSON.stringify({ keys: [jwkOf(good, { kid: 'k' }), jwkOf(ec(), { kid: 'k' })] }),
      /keys\[0\] and keys\[1\] have the same kid/,
    ],
  ];

  it.each(cases)('refuses %s', (_label, text, problem) => {
    const problems = problemsOf(text);
    expect(problems).toEqual([expect.stringMatching(/^OIDC_CLIENT_PRIVATE_KEY: /)]);
    expect(problems[0]).toMatch(problem);
  });

  it('quotes no byte of any refused key in its problems', () => {
    const keys = [weakRsa, p384, secp256k1, ed448, good, ed, strong];
    const secrets = keys.flatMap(secretPartsOf).filter((part) => part.length >= 16);
    const problems = cases.flatMap(([, text]) => problemsOf(text)).join('\n');
    for (const secret of secrets) expect(problems).not.toContain(secret);
    expect(problems).not.toContain('c2VjcmV0LXNlY3JldC1zZWNyZXQ');
  });

  it('refuses OIDC_CLIENT_KEY_ID with a JWK Set, or when it contradicts the JWK', () => {
    expect(problemsOf(JSON.stringify({ keys: [jwkOf(good)] }), 'kid-1')).toEqual([
      expect.stringMatching(/^OIDC_CLIENT_KEY_ID: names the kid of a single key/),
    ]);
    expect(problemsOf(JSON.stringify(jwkOf(good, { kid: 'own' })), 'other')).toEqual([
      expect.stringMatching(/^OIDC_CLIENT_KEY_ID: differs from the "kid" of the JWK/),
    ]);
  });
});

describe('reading client keys', () => {
  it.each([
    ['EC P-256', ec(), 'ES256', ['kty', 'crv', 'x', 'y']],
    ['Ed25519', ed25519(), 'EdDSA', ['kty', 'crv', 'x']],
    ['RSA 2048', rsa(), 'PS256', ['kty', 'e', 'n']],
  ])(
    'signs with the algorithm of a %s PKCS#8 PEM and publishes only its public members',
    async (_l, key, alg, members) => {
      const keys = keysOf(pemOf(key));
      expect(keys.signing.alg).toBe(alg);
      expect(keys.signing.privateKey.type).toBe('private');
      const [published] = keys.jwks.keys;
      expect(Object.keys(published ?? {}).sort()).toEqual([...members, 'kid', 'alg', 'use'].sort());
      expect(published).toMatchObject({ ...publicJwkOf(key), alg, use: 'sig' });
      // The default kid is the RFC 7638 thumbprint, as jose computes it.
      expect(published?.kid).toBe(
        await calculateJwkThumbprint(publicJwkOf(key) as Parameters<typeof calculateJwkThumbprint>[0]),
      );
      expect(keys.signing.kid).toBe(published?.kid);
    },
  );

  it('reads a PEM whose line breaks arrived as literal \\n escapes', () => {
    const key = ec();
    expect(keysOf(pemOf(key).replace(/\n/g, '\\n')).jwks.keys[0]).toMatchObject(publicJwkOf(key));
  });

  it('takes the kid from the JWK, else from OIDC_CLIENT_KEY_ID', () => {
    const key = ec();
    expect(keysOf(JSON.stringify(jwkOf(key, { kid: 'from-jwk', alg: 'ES256', use: 'sig' }))).signing.kid).toBe(
      'from-jwk',
    );
    expect(keysOf(JSON.stringify(jwkOf(key)), 'from-env').signing.kid).toBe('from-env');
    expect(keysOf(pemOf(key), 'from-env').jwks.keys[0]?.kid).toBe('from-env');
  });

  it('rotates in three phases: the first key of the set signs, every key is published in order', () => {
    const older = jwkOf(ec(), { kid: 'old' });
    const newer = jwkOf(ed25519(), { kid: 'new' });
    const phase1 = keysOf(JSON.stringify({ keys: [older, newer] }));
    expect(phase1.signing).toMatchObject({ kid: 'old', alg: 'ES256' });
    expect(phase1.jwks.keys.map((jwk) => jwk.kid)).toEqual(['old', 'new']);
    const phase2 = keysOf(JSON.stringify({ keys: [newer, older] }));
    expect(phase2.signing).toMatchObject({ kid: 'new', alg: 'EdDSA' });
    expect(phase2.jwks.keys.map((jwk) => jwk.kid)).toEqual(['new', 'old']);
    const phase3 = keysOf(JSON.stringify({ keys: [newer] }));
    expect(phase3.jwks.keys.map((jwk) => jwk.kid)).toEqual(['new']);
  });

  it('accepts a public key after the first in a set (published, never signing) and never publishes private members', () => {
    const signing = rsa();
    const next = ec();
    const keys = keysOf(JSON.stringify({ keys: [jwkOf(signing), publicJwkOf(next)] }));
    expect(keys.jwks.keys).toHaveLength(2);
    expect(keys.jwks.keys[1]).toMatchObject(publicJwkOf(next));
    const published = JSON.stringify(keys.jwks);
    for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(published).not.toContain(`"${member}"`);
  });
});
