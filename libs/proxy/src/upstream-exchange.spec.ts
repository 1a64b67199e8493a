import { refusesToken } from './upstream-exchange';

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
