import { accessTokenHash, DpopKey } from '@bff/dpop';
import { UpstreamProofs } from './upstream-proofs';

function claimsOf(proof: string | undefined): Record<string, unknown> {
  return JSON.parse(Buffer.from((proof ?? '').split('.')[1] ?? '', 'base64url').toString()) as Record<string, unknown>;
}

const CALL = { origin: 'https://api.example', target: '/orders/7?expand=lines', method: 'GET' };

describe('UpstreamProofs', () => {
  it('makes no proof for a token without a key: it goes as Bearer', () => {
    expect(new UpstreamProofs().proofFor(undefined, 'AT', CALL)).toBeUndefined();
  });

  it('proves the key for the method, the URL without query and the token, with a new jti each call', () => {
    const proofs = new UpstreamProofs();
    const key = DpopKey.generate('ES256');
    const first = claimsOf(proofs.proofFor(key, 'AT', CALL));
    const second = claimsOf(proofs.proofFor(key, 'AT', CALL));
    expect(first).toMatchObject({ htm: 'GET', htu: 'https://api.example/orders/7', ath: accessTokenHash('AT') });
    expect(first.nonce).toBeUndefined();
    expect(second.jti).not.toBe(first.jti);
  });

  it('puts the last DPoP-Nonce of that origin in the next proof, and only there', () => {
    const proofs = new UpstreamProofs();
    const key = DpopKey.generate('EdDSA');
    proofs.remember('https://api.example', { 'dpop-nonce': 'n-1' });
    proofs.remember('https://api.example', { 'dpop-nonce': 'n-2' });
    proofs.remember('https://api.example', {});
    expect(claimsOf(proofs.proofFor(key, 'AT', CALL)).nonce).toBe('n-2');
    expect(claimsOf(proofs.proofFor(key, 'AT', { ...CALL, origin: 'https://other.example' })).nonce).toBeUndefined();
  });
});
