import { MAX_CHALLENGE_HEADER_LENGTH, parseDpopChallenge } from './dpop-challenge';

describe('parseDpopChallenge', () => {
  it.each<[string, string | string[], object]>([
    [
      'the RFC 9449 nonce challenge',
      'DPoP error="use_dpop_nonce", error_description="Resource server requires nonce in DPoP proof"',
      { error: 'use_dpop_nonce', errorDescription: 'Resource server requires nonce in DPoP proof' },
    ],
    ['algs, space-separated', 'DPoP algs="ES256 EdDSA  PS256"', { algs: ['ES256', 'EdDSA', 'PS256'] }],
    [
      'any case of the scheme and parameter names',
      'dpop ERROR="invalid_token", Algs="ES256"',
      { error: 'invalid_token', algs: ['ES256'] },
    ],
    ['a token value without quotes', 'DPoP error=invalid_dpop_proof', { error: 'invalid_dpop_proof' }],
    ['spaces around "="', 'DPoP error = "use_dpop_nonce" , algs =ES256', { error: 'use_dpop_nonce', algs: ['ES256'] }],
    [
      'a Bearer challenge before it',
      'Bearer realm="api", error="invalid_token", DPoP error="use_dpop_nonce"',
      { error: 'use_dpop_nonce' },
    ],
    ['a Bearer challenge after it', 'DPoP algs="ES256", Bearer error="invalid_request"', { algs: ['ES256'] }],
    ['a Basic token68 before it', 'Basic dXNlcjpwYXNz==, DPoP error="invalid_token"', { error: 'invalid_token' }],
    ['separate headers', ['Bearer realm="api"', 'DPoP error="use_dpop_nonce"'], { error: 'use_dpop_nonce' }],
    [
      'escapes in a quoted string',
      'DPoP error="use_\\dpop_nonce", error_description="say \\"hi\\", \\\\ DPoP error=\\"x\\""',
      { error: 'use_dpop_nonce', errorDescription: 'say "hi", \\ DPoP error="x"' },
    ],
    [
      'a comma and the scheme name inside a quoted string',
      'Bearer error_description="use DPoP, error=x", DPoP error="invalid_token"',
      { error: 'invalid_token' },
    ],
    ['no parameters at all', 'DPoP', {}],
    ['no parameters before the next challenge', 'DPoP, Bearer error="invalid_token"', {}],
    ['empty list elements', ', ,DPoP ,, error="invalid_token",', { error: 'invalid_token' }],
    [
      'the first of repeated parameters',
      'DPoP error="use_dpop_nonce", error="invalid_token"',
      { error: 'use_dpop_nonce' },
    ],
    [
      'the first DPoP challenge of two',
      'DPoP error="use_dpop_nonce", DPoP error="invalid_token"',
      { error: 'use_dpop_nonce' },
    ],
  ])('reads %s', (_name, header, expected) => {
    expect(parseDpopChallenge(header)).toEqual(expected);
  });

  it.each<[string, string | string[] | undefined]>([
    ['no header', undefined],
    ['no headers', []],
    ['an empty header', ''],
    ['a Bearer challenge only', 'Bearer error="invalid_token", error_description="DPoP is not mentioned as a scheme"'],
    ['DPoP as a parameter value', 'Bearer realm=DPoP, scope="DPoP"'],
    ['DPoP as a parameter name', 'Bearer DPoP=1'],
    ['a longer scheme name', 'DPoPx error="invalid_token"'],
    ['garbage', '"==,,"\\"'],
  ])('finds no DPoP challenge in %s', (_name, header) => {
    expect(parseDpopChallenge(header)).toBeUndefined();
  });

  it('drops an unterminated quoted string and an overlong value', () => {
    expect(parseDpopChallenge('DPoP algs="ES256", error="use_dpop_nonce')).toEqual({ algs: ['ES256'] });
    expect(parseDpopChallenge(`DPoP error="${'x'.repeat(2000)}", algs="ES256"`)).toEqual({ algs: ['ES256'] });
  });

  it('skips a header value longer than the cap, and reads the next', () => {
    const long = `DPoP error="use_dpop_nonce", error_description="${'x'.repeat(MAX_CHALLENGE_HEADER_LENGTH)}"`;
    expect(parseDpopChallenge(long)).toBeUndefined();
    expect(parseDpopChallenge([long, 'DPoP error="invalid_token"'])).toEqual({ error: 'invalid_token' });
  });

  it.each<[string, string, object | undefined]>([
    ['commas', ','.repeat(8000), undefined],
    ['equals signs', `DPoP ${'='.repeat(8000)}`, undefined],
    ['escapes', `DPoP error="${'\\'.repeat(7990)}`, {}],
    ['spaces between tokens', `DPoP ${'a '.repeat(4000)}`, {}],
    ['parameters', `DPoP ${'a=b, '.repeat(1600)}error=x`, { error: 'x' }],
    ['schemes', 'Bearer, '.repeat(1000), undefined],
    ['unbalanced quotes', '"a", '.repeat(1600), undefined],
  ])('reads hostile input made of %s with one pass of the scanner', (_name, header, expected) => {
    expect(parseDpopChallenge(header)).toEqual(expected);
    expect(parseDpopChallenge([header, header, header])).toEqual(expected);
  });
});
