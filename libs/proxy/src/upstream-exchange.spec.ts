import { asksForDpopNonce, refusesToken } from './upstream-exchange';

describe('refusesToken', () => {
  it.each([
    'Bearer error="invalid_token"',
    'Bearer realm="api", error="invalid_token", error_description="expired"',
    'bearer error=invalid_token',
    'DPoP algs="ES256", error="invalid_token"',
  ])('reads %s as the upstream refusing the token', (challenge) => {
    expect(refusesToken({ 'www-authenticate': challenge })).toBe(true);
    expect(refusesToken({ 'www-authenticate': [`Basic realm="x"`, challenge] } as never)).toBe(true);
  });

  it.each([
    undefined,
    'Bearer',
    'Bearer error="insufficient_scope"',
    'Bearer error="invalid_request"',
    'Basic error="invalid_token"',
    'Bearer error="invalid_token_type"',
  ])('does not read %p as a refused token', (challenge) => {
    expect(refusesToken(challenge === undefined ? {} : { 'www-authenticate': challenge })).toBe(false);
  });
});

describe('asksForDpopNonce', () => {
  it.each([
    'DPoP error="use_dpop_nonce", error_description="Resource server requires nonce in DPoP proof"',
    'DPoP algs="ES256 EdDSA", error="use_dpop_nonce"',
  ])('reads %s as the upstream asking for its DPoP nonce', (challenge) => {
    expect(asksForDpopNonce({ 'www-authenticate': challenge })).toBe(true);
    expect(asksForDpopNonce({ 'www-authenticate': ['Bearer realm="x"', challenge] } as never)).toBe(true);
  });

  it.each([
    undefined,
    'DPoP error="invalid_token"',
    'DPoP error="invalid_dpop_proof"',
    'Bearer error="use_dpop_nonce"',
  ])('does not read %p as a nonce challenge', (challenge) => {
    expect(asksForDpopNonce(challenge === undefined ? {} : { 'www-authenticate': challenge })).toBe(false);
  });
});
