import { createHash } from 'node:crypto';
import { inspect } from 'node:util';
import { EmbeddedJWK, calculateJwkThumbprint, decodeProtectedHeader, jwtVerify } from 'jose';
import * as client from 'openid-client';
import { DpopKey } from './dpop-key';
import { DpopKeyError } from './dpop.errors';
import type { DpopAlgorithm } from './dpop-jwk';
import { MemoryDpopReplayCache } from './dpop-replay.cache';
import { verifyDpopProof } from './dpop-proof.verifier';

const ALGS: DpopAlgorithm[] = ['ES256', 'EdDSA'];
const HTU = 'https://api.example.test/orders/42';
const TOKEN = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl';
const sha256 = (value: string) => createHash('sha256').update(value).digest('base64url');

/** The claims of a proof, once jose has verified it with the key in its header. */
async function verifiedWithJose(proof: string) {
  const { payload, protectedHeader } = await jwtVerify(proof, EmbeddedJWK, { typ: 'dpop+jwt' });
  return { payload, protectedHeader };
}

describe.each(ALGS)('DpopKey (%s)', (alg) => {
  const key = DpopKey.generate(alg);

  it('signs proofs that jose verifies with the embedded jwk, with the header RFC 9449 asks for', async () => {
    const { protectedHeader } = await verifiedWithJose(key.proof({ htm: 'GET', htu: HTU }));
    expect(protectedHeader).toEqual({ typ: 'dpop+jwt', alg, jwk: key.publicJwk });
  });

  it('puts jti, htm, htu and iat in every proof, and neither ath nor nonce unless given', async () => {
    const before = Math.floor(Date.now() / 1000);
    const { payload } = await verifiedWithJose(key.proof({ htm: 'POST', htu: HTU }));
    expect(Object.keys(payload).sort()).toEqual(['htm', 'htu', 'iat', 'jti']);
    expect(payload).toMatchObject({ htm: 'POST', htu: HTU });
    expect(payload.iat).toBeGreaterThanOrEqual(before);
    expect(payload.iat).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
  });

  it('draws a jti of at least 128 random bits, new for every proof', async () => {
    const jtis = new Set<unknown>();
    for (let i = 0; i < 600; i++) {
      const { payload } = await verifiedWithJose(key.proof({ htm: 'GET', htu: HTU }));
      expect(payload.jti).toMatch(/^[A-Za-z0-9_-]{22,}$/);
      jtis.add(payload.jti);
    }
    expect(jtis.size).toBe(600);
  });

  it('binds a proof to the access token with ath, the base64url SHA-256 of the token, also when tokens change', async () => {
    for (const token of [TOKEN, TOKEN, 'another.token.value', TOKEN]) {
      const { payload } = await verifiedWithJose(key.proof({ htm: 'GET', htu: HTU, accessToken: token }));
      expect(payload.ath).toBe(sha256(token));
    }
  });

  it('carries the server nonce and the given iat when asked to', async () => {
    const { payload } = await verifiedWithJose(key.proof({ htm: 'GET', htu: HTU, nonce: 'n-1', iat: 1_700_000_000 }));
    expect(payload).toMatchObject({ nonce: 'n-1', iat: 1_700_000_000 });
  });

  it('never puts a query string or fragment into htu', async () => {
    const { payload } = await verifiedWithJose(key.proof({ htm: 'GET', htu: `${HTU}?secret=1#frag` }));
    expect(payload.htu).toBe(HTU);
    const fragmentOnly = await verifiedWithJose(key.proof({ htm: 'GET', htu: `${HTU}#a?b` }));
    expect(fragmentOnly.payload.htu).toBe(HTU);
  });

  it('escapes what it writes into the claims as JSON', async () => {
    const { payload } = await verifiedWithJose(key.proof({ htm: 'GET', htu: 'https://h.test/a"b\\c', nonce: '"x' }));
    expect(payload).toMatchObject({ htu: 'https://h.test/a"b\\c', nonce: '"x' });
  });

  it('signs the same proofs on the thread pool with proofAsync', async () => {
    const proof = await key.proofAsync({ htm: 'DELETE', htu: HTU, accessToken: TOKEN, nonce: 'n' });
    const { payload } = await verifiedWithJose(proof);
    expect(payload).toMatchObject({ htm: 'DELETE', htu: HTU, ath: sha256(TOKEN), nonce: 'n' });
  });

  it('has the RFC 7638 thumbprint jose calculates, from a public JWK without private members', async () => {
    expect(key.thumbprint).toBe(await calculateJwkThumbprint(key.publicJwk, 'sha256'));
    expect(Object.keys(key.publicJwk).sort()).toEqual(alg === 'ES256' ? ['crv', 'kty', 'x', 'y'] : ['crv', 'kty', 'x']);
    expect(Object.isFrozen(key.publicJwk)).toBe(true);
  });

  it('comes back from its private JWK as the same key', async () => {
    const jwk = key.toPrivateJwk();
    expect(jwk).toMatchObject({ ...key.publicJwk, alg, d: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) });
    const restored = DpopKey.fromPrivateJwk(JSON.parse(JSON.stringify(jwk)));
    expect(restored.thumbprint).toBe(key.thumbprint);
    expect(restored.alg).toBe(alg);
    const { protectedHeader } = await verifiedWithJose(restored.proof({ htm: 'GET', htu: HTU }));
    expect(protectedHeader.jwk).toEqual(key.publicJwk);
  });

  it('never shows the private key through toString, JSON.stringify, util.inspect or String', () => {
    const { d } = key.toPrivateJwk();
    const shown = [
      String(key),
      key.toString(),
      [key].join(''),
      JSON.stringify(key),
      JSON.stringify({ session: { key } }),
      inspect(key, { depth: 10, showHidden: true }),
      inspect({ nested: [key] }, { depth: 10 }),
    ];
    for (const text of shown) expect(text).not.toContain(d);
    expect(JSON.parse(JSON.stringify(key))).toEqual(key.publicJwk);
    expect(inspect(key)).toBe(`DpopKey(${alg}, jkt=${key.thumbprint})`);
  });

  it('gives a WebCrypto pair, imported once, whose proofs from openid-client carry the same key', async () => {
    const pair = await key.cryptoKeyPair();
    expect(await key.cryptoKeyPair()).toBe(pair);
    expect(pair.privateKey.extractable).toBe(false);
    const config = new client.Configuration({ issuer: 'https://idp.example.test' }, 'bff');
    const seen: Headers[] = [];
    config[client.customFetch] = (_url, init) => {
      seen.push(new Headers(init.headers));
      return Promise.resolve(new Response('{}', { status: 200 }));
    };
    const handle = client.getDPoPHandle(config, pair);
    expect(await handle.calculateThumbprint()).toBe(key.thumbprint);
    await client.fetchProtectedResource(config, TOKEN, new URL(`${HTU}?q=1`), 'GET', undefined, undefined, {
      DPoP: handle,
    });
    const proof = seen[0]?.get('dpop') ?? '';
    expect(decodeProtectedHeader(proof).jwk).toEqual(key.publicJwk);
    // openid-client names Ed25519 by RFC 9864's "Ed25519"; the verifier takes both names.
    const verified = await verifyDpopProof({
      proof,
      htm: 'GET',
      htu: HTU,
      accessToken: TOKEN,
      expectedJkt: key.thumbprint,
      replayCache: new MemoryDpopReplayCache(),
    });
    expect(verified.jkt).toBe(key.thumbprint);
  });
});

describe('DpopKey.generate', () => {
  it('makes ES256 keys by default, a new key every time', () => {
    const [a, b] = [DpopKey.generate(), DpopKey.generate()];
    expect(a.alg).toBe('ES256');
    expect(a.thumbprint).not.toBe(b.thumbprint);
  });
});

describe('DpopKey.fromPrivateJwk', () => {
  const es = DpopKey.generate('ES256').toPrivateJwk();
  const ed = DpopKey.generate('EdDSA').toPrivateJwk();
  const other = DpopKey.generate('ES256').toPrivateJwk();

  it.each<[string, unknown, RegExp]>([
    ['not an object', 'a string', /JWK object/],
    ['null', null, /JWK object/],
    ['an array', [es], /JWK object/],
    ['no alg', { ...es, alg: undefined }, /"alg"/],
    ['alg RS256', { ...es, alg: 'RS256' }, /"alg"/],
    ['alg none', { ...es, alg: 'none' }, /"alg"/],
    ['an EC key claiming EdDSA', { ...es, alg: 'EdDSA' }, /"kty" OKP/],
    ['an OKP key claiming ES256', { ...ed, alg: 'ES256' }, /"kty" EC/],
    ['another curve', { ...es, crv: 'P-384' }, /"crv" P-256/],
    ['an RSA key', { kty: 'RSA', alg: 'ES256', n: 'AQAB', e: 'AQAB', d: 'AQAB' }, /"kty" EC/],
    ['a symmetric key', { kty: 'oct', alg: 'EdDSA', k: 'c2VjcmV0' }, /"kty" OKP/],
    ['a public key only', { ...es, d: undefined }, /"d" member/],
    ['a short d', { ...es, d: 'AAAA' }, /"d" member/],
    ['a d that is no base64url', { ...es, d: `${'+'.repeat(42)}A` }, /"d" member/],
    ['an extra member', { ...es, kid: 'k1' }, /no "kid" member/],
    ['a y on an Ed25519 key', { ...ed, y: es.kty === 'EC' ? es.y : '' }, /no "y" member/],
    ['public members of another key', { ...es, x: other.x, y: other.kty === 'EC' ? other.y : '' }, /do not match/],
  ])('rejects %s with a DpopKeyError', (_name, jwk, message) => {
    expect(() => DpopKey.fromPrivateJwk(jwk)).toThrow(DpopKeyError);
    expect(() => DpopKey.fromPrivateJwk(jwk)).toThrow(message);
  });

  it.each([
    ['a zero scalar', 'A'.repeat(43)],
    ['a scalar above the group order', `${'_'.repeat(42)}w`],
  ])('rejects %s', (_name, d) => {
    expect(() => DpopKey.fromPrivateJwk({ ...es, d })).toThrow(/not a valid private key/);
  });

  it('rejects public members that are no point of the key without quoting any member in the error', () => {
    const bad = { ...es, x: `${'A'.repeat(42)}E`, y: `${'A'.repeat(42)}E` };
    let error: unknown;
    try {
      DpopKey.fromPrivateJwk(bad);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(DpopKeyError);
    const text = `${String(error)} ${inspect(error)} ${JSON.stringify(error)}`;
    expect(text).not.toContain(es.d);
    expect((error as DpopKeyError).code).toBe('invalid_dpop_key');
    expect((error as DpopKeyError).expose).toBe(false);
  });

  it("never quotes the d of a refused key in the error's message", () => {
    for (const jwk of [
      { ...es, alg: 'EdDSA' },
      { ...es, x: other.x },
      { ...es, kid: 'k' },
    ]) {
      let message = '';
      try {
        DpopKey.fromPrivateJwk(jwk);
      } catch (err) {
        message = `${(err as Error).message} ${inspect(err)}`;
      }
      expect(message).toMatch(/DPoP/);
      expect(message).not.toContain(es.d);
    }
  });
});
