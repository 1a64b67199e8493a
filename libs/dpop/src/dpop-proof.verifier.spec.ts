import { constants, createHash, createHmac, createSecretKey, generateKeyPairSync, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { DpopKey } from './dpop-key';
import { DpopProofError } from './dpop.errors';
import type { DpopProofFailure } from './dpop.errors';
import { MemoryDpopReplayCache } from './dpop-replay.cache';
import { verifyDpopProof } from './dpop-proof.verifier';
import type { DpopProofCheck } from './dpop-proof.verifier';

const NOW = 1_800_000_000;
const HTU = 'https://api.example.test/orders';
const TOKEN = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl';
const b64 = (value: unknown) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
const ath = (token: string) => createHash('sha256').update(token).digest('base64url');

const es = DpopKey.generate('ES256');
const ed = DpopKey.generate('EdDSA');

/** A proof with any header and claims, signed by `key` as the header's `alg` says (no check of ours). */
function forge(header: Record<string, unknown>, body: Record<string, unknown>, key: KeyObject): string {
  const input = `${b64(header)}.${b64(body)}`;
  const data = Buffer.from(input);
  let signature: Buffer;
  if (header.alg === 'HS256') signature = createHmac('sha256', key).update(data).digest();
  else if (header.alg === 'ES256') signature = sign('sha256', data, { key, dsaEncoding: 'ieee-p1363' });
  else if (header.alg === 'PS256') {
    signature = sign('sha256', data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 });
  } else signature = sign(null, data, key);
  return `${input}.${signature.toString('base64url')}`;
}

/** A key pair for `alg` and its public JWK. */
function keyFor(alg: 'ES256' | 'PS256' | 'Ed25519' = 'ES256', modulusLength = 2048) {
  const { privateKey, publicKey } =
    alg === 'ES256'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : alg === 'PS256'
        ? generateKeyPairSync('rsa', { modulusLength })
        : generateKeyPairSync('ed25519');
  return { privateKey, jwk: publicKey.export({ format: 'jwk' }) };
}
const claims = (extra: Record<string, unknown> = {}) => ({
  jti: `j-${String(Math.random())}`,
  htm: 'GET',
  htu: HTU,
  iat: NOW,
  ...extra,
});

/** The check a server makes for a GET of HTU with TOKEN bound to `key`, overridable. */
const check = (proof: string, key: DpopKey = es, extra: Partial<DpopProofCheck> = {}): DpopProofCheck => ({
  proof,
  htm: 'GET',
  htu: `${HTU}?page=1`,
  accessToken: TOKEN,
  expectedJkt: key.thumbprint,
  now: NOW,
  replayCache: new MemoryDpopReplayCache(),
  ...extra,
});

async function failure(input: DpopProofCheck): Promise<DpopProofError> {
  try {
    await verifyDpopProof(input);
  } catch (err) {
    if (err instanceof DpopProofError) return err;
    throw err;
  }
  throw new Error('the proof was accepted');
}

async function expectRefused(input: DpopProofCheck, reason: DpopProofFailure, code = 'invalid_dpop_proof') {
  const err = await failure(input);
  expect({ reason: err.reason, code: err.code, status: err.status }).toEqual({ reason, code, status: 401 });
}

describe('verifyDpopProof', () => {
  it.each([es, ed])(
    'accepts a proof of DpopKey %s for the request and token, and says what it verified',
    async (key) => {
      const proof = key.proof({ htm: 'GET', htu: HTU, accessToken: TOKEN, iat: NOW });
      const verified = await verifyDpopProof(check(proof, key));
      expect(verified).toEqual({
        alg: key.alg,
        jwk: key.publicJwk,
        jkt: key.thumbprint,
        jti: expect.any(String),
        iat: NOW,
      });
    },
  );

  it.each(['PS256', 'Ed25519'] as const)('accepts a %s proof signed outside DpopKey', async (alg) => {
    const { privateKey, jwk } = keyFor(alg);
    const proof = forge({ typ: 'dpop+jwt', alg, jwk }, claims({ ath: ath(TOKEN) }), privateKey);
    const verified = await verifyDpopProof(check(proof, es, { expectedJkt: undefined }));
    expect(verified.alg).toBe(alg);
  });

  it('accepts typ application/dpop+jwt, the media type in full', async () => {
    const { privateKey, jwk } = keyFor();
    const proof = forge({ typ: 'application/dpop+jwt', alg: 'ES256', jwk }, claims(), privateKey);
    await expect(
      verifyDpopProof(check(proof, es, { accessToken: undefined, expectedJkt: undefined })),
    ).resolves.toMatchObject({ alg: 'ES256' });
  });

  it('accepts a proof without ath when no token is presented, and without jkt when none is expected', async () => {
    const proof = ed.proof({ htm: 'POST', htu: HTU, iat: NOW });
    const verified = await verifyDpopProof(
      check(proof, ed, { htm: 'POST', accessToken: undefined, expectedJkt: undefined }),
    );
    expect(verified.jkt).toBe(ed.thumbprint);
  });

  it('refuses a proof for another method', async () => {
    await expectRefused(check(es.proof({ htm: 'POST', htu: HTU, accessToken: TOKEN, iat: NOW })), 'htm');
    await expectRefused(check(es.proof({ htm: 'get', htu: HTU, accessToken: TOKEN, iat: NOW })), 'htm');
  });

  it.each([
    ['a query', `${HTU}?page=1`],
    ['another host', 'https://other.example.test/orders'],
    ['another port', 'https://api.example.test:8443/orders'],
    ['another scheme', 'http://api.example.test/orders'],
    ['another path', 'https://api.example.test/orders/1'],
  ])('refuses an htu with %s', async (_name, htu) => {
    const { privateKey, jwk } = keyFor();
    const proof = forge({ typ: 'dpop+jwt', alg: 'ES256', jwk }, claims({ htu, ath: ath(TOKEN) }), privateKey);
    await expectRefused(check(proof, es, { expectedJkt: undefined }), 'htu');
  });

  it.each([
    ['61 s old', NOW - 61, 'iat'],
    ['an hour old', NOW - 3600, 'iat'],
    ['6 s in the future', NOW + 6, 'iat'],
    ['a day in the future', NOW + 86_400, 'iat'],
  ] as const)('refuses a proof %s', async (_name, iat, reason) => {
    await expectRefused(check(es.proof({ htm: 'GET', htu: HTU, accessToken: TOKEN, iat })), reason);
  });

  it.each([
    ['60 s old', NOW - 60],
    ['5 s in the future', NOW + 5],
  ])('accepts a proof %s, at the edge of the window', async (_name, iat) => {
    await expect(
      verifyDpopProof(check(es.proof({ htm: 'GET', htu: HTU, accessToken: TOKEN, iat }))),
    ).resolves.toMatchObject({ iat });
  });

  it('takes the window from maxAgeSeconds and clockSkewSeconds', async () => {
    const proof = (iat: number) => es.proof({ htm: 'GET', htu: HTU, accessToken: TOKEN, iat });
    const window = { maxAgeSeconds: 10, clockSkewSeconds: 0 };
    await expectRefused(check(proof(NOW - 11), es, window), 'iat');
    await expectRefused(check(proof(NOW + 1), es, window), 'iat');
    await expect(verifyDpopProof(check(proof(NOW - 10), es, window))).resolves.toMatchObject({ iat: NOW - 10 });
  });

  it('accepts a jti once, and remembers it for the window', async () => {
    const replayCache = new MemoryDpopReplayCache();
    const proof = es.proof({ htm: 'GET', htu: HTU, accessToken: TOKEN, iat: NOW });
    await verifyDpopProof(check(proof, es, { replayCache }));
    await expectRefused(check(proof, es, { replayCache, now: NOW + 30 }), 'replay');
    await expectRefused(check(proof, es, { replayCache, now: NOW + 60 }), 'replay');
  });

  it('does not use up the jti of a proof it refused for another reason', async () => {
    const replayCache = new MemoryDpopReplayCache();
    const proof = es.proof({ htm: 'GET', htu: HTU, accessToken: TOKEN, iat: NOW });
    await expectRefused(check(proof, es, { replayCache, htm: 'PUT' }), 'htm');
    await expect(verifyDpopProof(check(proof, es, { replayCache }))).resolves.toMatchObject({ jkt: es.thumbprint });
  });

  it('refuses a proof bound to another access token, or to none', async () => {
    await expectRefused(check(es.proof({ htm: 'GET', htu: HTU, accessToken: 'other-token', iat: NOW })), 'ath');
    await expectRefused(check(es.proof({ htm: 'GET', htu: HTU, iat: NOW })), 'ath');
  });

  it('refuses a proof signed by another key than the token is bound to, as invalid_token', async () => {
    const proof = ed.proof({ htm: 'GET', htu: HTU, accessToken: TOKEN, iat: NOW });
    await expectRefused(check(proof, es), 'jkt', 'invalid_token');
  });

  describe('with a server nonce', () => {
    const proof = (nonce?: string) => es.proof({ htm: 'GET', htu: HTU, accessToken: TOKEN, iat: NOW, nonce });

    it('refuses a proof without the nonce, or with a stale one, as use_dpop_nonce', async () => {
      await expectRefused(check(proof(), es, { nonce: 'n2' }), 'nonce', 'use_dpop_nonce');
      await expectRefused(check(proof('n0'), es, { nonce: ['n2', 'n1'] }), 'nonce', 'use_dpop_nonce');
    });

    it('accepts the current and the previous nonce, and says which it got', async () => {
      await expect(verifyDpopProof(check(proof('n2'), es, { nonce: 'n2' }))).resolves.toMatchObject({ nonce: 'n2' });
      await expect(verifyDpopProof(check(proof('n1'), es, { nonce: ['n2', 'n1'] }))).resolves.toMatchObject({
        nonce: 'n1',
      });
    });

    it('ignores a nonce in the proof when the server asks for none', async () => {
      await expect(verifyDpopProof(check(proof('whatever'), es))).resolves.toMatchObject({ nonce: 'whatever' });
    });
  });

  describe('refuses the header', () => {
    it.each([
      ['without typ', {}],
      ['with typ JWT', { typ: 'JWT' }],
      ['with typ at+jwt', { typ: 'at+jwt' }],
    ])('%s', async (_name, header) => {
      const { privateKey, jwk } = keyFor();
      const proof = forge({ alg: 'ES256', jwk, ...header }, claims({ ath: ath(TOKEN) }), privateKey);
      await expectRefused(check(proof, es, { expectedJkt: undefined }), 'typ');
    });

    it('with alg none', async () => {
      const proof = `${b64({ typ: 'dpop+jwt', alg: 'none', jwk: es.publicJwk })}.${b64(claims({ ath: ath(TOKEN) }))}.`;
      await expectRefused(check(proof), 'alg');
    });

    it('with alg HS256, even with a jwk', async () => {
      const proof = forge(
        { typ: 'dpop+jwt', alg: 'HS256', jwk: es.publicJwk },
        claims({ ath: ath(TOKEN) }),
        createSecretKey(Buffer.alloc(32)),
      );
      await expectRefused(check(proof), 'alg');
    });

    it('with an algorithm outside the allow-list given', async () => {
      const proof = ed.proof({ htm: 'GET', htu: HTU, accessToken: TOKEN, iat: NOW });
      await expectRefused(check(proof, ed, { algorithms: ['ES256'] }), 'alg');
    });

    it('with an alg that does not match the jwk', async () => {
      const { privateKey } = keyFor('Ed25519');
      const proof = forge(
        { typ: 'dpop+jwt', alg: 'Ed25519', jwk: es.publicJwk },
        claims({ ath: ath(TOKEN) }),
        privateKey,
      );
      await expectRefused(check(proof), 'alg');
    });

    it('with a private member in the jwk', async () => {
      const { privateKey, jwk } = keyFor();
      for (const member of ['d', 'p', 'k']) {
        const proof = forge({ typ: 'dpop+jwt', alg: 'ES256', jwk: { ...jwk, [member]: 'AAAA' } }, claims(), privateKey);
        await expectRefused(check(proof, es, { expectedJkt: undefined, accessToken: undefined }), 'jwk');
      }
    });

    it.each<[string, unknown]>([
      ['no jwk', undefined],
      ['a jwk that is a string', 'key'],
      ['a jwk without y', { kty: 'EC', crv: 'P-256', x: es.publicJwk.x }],
      ['a point off the curve', { kty: 'EC', crv: 'P-256', x: `${'A'.repeat(42)}E`, y: `${'A'.repeat(42)}E` }],
    ])('with %s', async (_name, jwk) => {
      const { privateKey } = keyFor();
      const proof = forge({ typ: 'dpop+jwt', alg: 'ES256', jwk }, claims(), privateKey);
      await expectRefused(check(proof, es, { expectedJkt: undefined, accessToken: undefined }), 'jwk');
    });

    it('with an RSA key shorter than 2048 bits', async () => {
      const { privateKey, jwk } = keyFor('PS256', 1024);
      const proof = forge({ typ: 'dpop+jwt', alg: 'PS256', jwk }, claims(), privateKey);
      await expectRefused(check(proof, es, { expectedJkt: undefined, accessToken: undefined }), 'jwk');
    });

    it('with critical parameters', async () => {
      const { privateKey, jwk } = keyFor();
      const proof = forge({ typ: 'dpop+jwt', alg: 'ES256', jwk, crit: ['exp'], exp: 1 }, claims(), privateKey);
      await expectRefused(check(proof, es, { expectedJkt: undefined, accessToken: undefined }), 'malformed');
    });
  });

  describe('refuses a bad signature', () => {
    it('from another key than the jwk', async () => {
      const { privateKey } = keyFor();
      const proof = forge(
        { typ: 'dpop+jwt', alg: 'ES256', jwk: es.publicJwk },
        claims({ ath: ath(TOKEN) }),
        privateKey,
      );
      await expectRefused(check(proof), 'signature');
    });

    it.each([es, ed])('over claims changed after signing (%s)', async (key) => {
      const [header, , signature] = key.proof({ htm: 'GET', htu: HTU, accessToken: TOKEN, iat: NOW }).split('.');
      const changed = `${header ?? ''}.${b64(claims({ ath: ath(TOKEN) }))}.${signature ?? ''}`;
      await expectRefused(check(changed, key), 'signature');
    });

    it.each(['', 'AAAA', 'A'.repeat(200)])('of the wrong length (%s)', async (signature) => {
      const [header, payload] = es.proof({ htm: 'GET', htu: HTU, accessToken: TOKEN, iat: NOW }).split('.');
      await expectRefused(check(`${header ?? ''}.${payload ?? ''}.${signature}`), 'signature');
    });
  });

  it.each<[string, string]>([
    ['an empty proof', ''],
    ['two segments', 'a.b'],
    ['four segments', 'a.b.c.d'],
    ['a header that is not JSON', `${b64('not json')}.${b64(claims())}.c2ln`],
    ['claims that are an array', `${b64({ typ: 'dpop+jwt' })}.${b64([1])}.c2ln`],
    ['characters outside base64url', `${b64({ typ: 'dpop+jwt' })}.${b64(claims())}.c2ln=`],
    ['an oversized proof', `${b64({ typ: 'dpop+jwt' })}.${'A'.repeat(20_000)}.c2ln`],
  ])('refuses %s as malformed', async (_name, proof) => {
    await expectRefused(check(proof), 'malformed');
  });

  it.each<[string, Record<string, unknown>]>([
    ['no jti', { jti: undefined }],
    ['an empty jti', { jti: '' }],
    ['a jti of 257 characters', { jti: 'j'.repeat(257) }],
    ['no htm', { htm: undefined }],
    ['an htu that is a number', { htu: 42 }],
    ['an iat that is a string', { iat: String(NOW) }],
    ['a nonce that is a number', { nonce: 7 }],
  ])('refuses claims with %s as malformed', async (_name, extra) => {
    const { privateKey, jwk } = keyFor();
    const proof = forge({ typ: 'dpop+jwt', alg: 'ES256', jwk }, claims({ ath: ath(TOKEN), ...extra }), privateKey);
    await expectRefused(check(proof, es, { expectedJkt: undefined }), 'malformed');
  });
});
