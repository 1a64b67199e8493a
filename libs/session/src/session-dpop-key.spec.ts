import { DpopKey } from '@bff/dpop';
import { rememberSessionDpopKey, sessionDpopKey } from './session-dpop-key';

describe('sessionDpopKey', () => {
  it('gives no key for a session made without DPoP', () => {
    expect(sessionDpopKey({})).toBeUndefined();
  });

  it('gives back the key generated at login from its sealed JWK, without importing it again', () => {
    const key = DpopKey.generate('ES256');
    const jwk = rememberSessionDpopKey(key);
    // A record opened from the store holds a new copy of the JWK each time.
    expect(sessionDpopKey({ dpopKey: structuredClone(jwk) })).toBe(key);
  });

  it('imports a key it has not seen once and reuses it for every later copy of the record', () => {
    const jwk = DpopKey.generate('EdDSA').toPrivateJwk();
    const first = sessionDpopKey({ dpopKey: structuredClone(jwk) });
    expect(first?.thumbprint).toBe(DpopKey.fromPrivateJwk(jwk).thumbprint);
    expect(sessionDpopKey({ dpopKey: structuredClone(jwk) })).toBe(first);
  });
});
