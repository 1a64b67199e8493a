import { accessTokenHash, DpopKey, htuOf } from '@bff/dpop';
import { plainPathOf, UpstreamProofs } from './upstream-proofs';

async function claimsOf(proof: Promise<string> | undefined): Promise<Record<string, unknown>> {
  const compact = (await proof) ?? '';
  return JSON.parse(Buffer.from(compact.split('.')[1] ?? '', 'base64url').toString()) as Record<string, unknown>;
}

const CALL = { origin: 'https://api.example', target: '/orders/7?expand=lines', method: 'GET' };

describe('UpstreamProofs', () => {
  it('makes no proof for a token without a key: it goes as Bearer', () => {
    expect(new UpstreamProofs().proofFor(undefined, 'AT', CALL)).toBeUndefined();
  });

  it('proves the key for the method, the URL without query and the token, with a new jti each call', async () => {
    const proofs = new UpstreamProofs();
    const key = DpopKey.generate('ES256');
    const first = await claimsOf(proofs.proofFor(key, 'AT', CALL));
    const second = await claimsOf(proofs.proofFor(key, 'AT', CALL));
    expect(first).toMatchObject({ htm: 'GET', htu: 'https://api.example/orders/7', ath: accessTokenHash('AT') });
    expect(first.nonce).toBeUndefined();
    expect(second.jti).not.toBe(first.jti);
  });

  it('puts the last DPoP-Nonce of that origin in the next proof, and only there', async () => {
    const proofs = new UpstreamProofs();
    const key = DpopKey.generate('EdDSA');
    proofs.remember('https://api.example', { 'dpop-nonce': 'n-1' });
    proofs.remember('https://api.example', { 'dpop-nonce': 'n-2' });
    proofs.remember('https://api.example', {});
    expect((await claimsOf(proofs.proofFor(key, 'AT', CALL))).nonce).toBe('n-2');
    expect(
      (await claimsOf(proofs.proofFor(key, 'AT', { ...CALL, origin: 'https://other.example' }))).nonce,
    ).toBeUndefined();
  });

  it('names the same htu as htuOf, parsing only the paths a URL parser would change', async () => {
    const proofs = new UpstreamProofs();
    const key = DpopKey.generate('ES256');
    const targets = ['/', '/orders/7', '/a/b.json?x=1#f', "/a!$&'()*+,;=:@~-_.", '/a/.../b', '/a//b', '//a'];
    const parsed = ['/./a', '/a/..', '/a%2e', '/a%7e', '/a b', '/é', '/a|b', '/a\\b', '/a"b'];
    for (const target of [...targets, ...parsed]) {
      expect((await claimsOf(proofs.proofFor(key, 'AT', { ...CALL, target }))).htu).toBe(
        htuOf(`${CALL.origin}${target}`),
      );
    }
    expect(parsed.map(plainPathOf)).toEqual(parsed.map(() => undefined));
  });
});
