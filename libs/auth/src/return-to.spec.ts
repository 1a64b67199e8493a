import { validateHeaderValue } from 'node:http';
import { InvalidReturnToError } from './auth.errors';
import { validateReturnTo } from './return-to';

/** Unicode separators and look-alikes that survive a naive check and break (or fool) a Location header. */
const NON_ASCII = {
  'U+3002 ideographic full stop': '\u3002',
  'U+FF0E fullwidth full stop': '\uff0e',
  'U+2028 line separator': '\u2028',
  'U+2029 paragraph separator': '\u2029',
  'U+0085 next line': '\u0085',
  'U+00A0 no-break space': '\u00a0',
  'U+200B zero-width space': '\u200b',
  'U+FEFF byte order mark': '\ufeff',
  'U+00E9 é (Latin-1, which Node would even accept in a header)': '\u00e9',
  'U+FF0F fullwidth solidus': '\uff0f',
};

describe('validateReturnTo', () => {
  it.each([
    '/',
    '/orders',
    '/orders?id=1&x=%2F',
    '/caf%C3%A9#frag',
    '/a/b#c',
    '/path/with:colon',
    "/search?q=a+b&sort=-date&tags=x,y;z@!$'()*",
    '/%E3%80%82evil.com',
    '/a%5Cb',
    '/a//b',
    `/${'a'.repeat(2047)}`,
  ])('accepts %s, which can be sent back as a Location header unchanged', (path) => {
    expect(validateReturnTo(path)).toBe(path);
    expect(() => {
      validateHeaderValue('location', path);
    }).not.toThrow();
  });

  it('defaults to / when absent', () => {
    expect(validateReturnTo(undefined)).toBe('/');
    expect(validateReturnTo('')).toBe('/');
  });

  it.each(Object.entries(NON_ASCII))('refuses the raw %s anywhere in the path', (_label, character) => {
    for (const value of [`/${character}evil.com`, `/orders${character}`, `/a?q=${character}`, `/a#${character}`]) {
      expect(() => validateReturnTo(value)).toThrow(InvalidReturnToError);
    }
  });

  it.each(Object.entries(NON_ASCII))(
    'accepts the percent-encoded %s: it stays a path segment of this origin',
    (_label, character) => {
      const encoded = `/${encodeURIComponent(character)}evil.com`;
      expect(validateReturnTo(encoded)).toBe(encoded);
    },
  );

  it.each([
    ['an absolute URL', 'https://evil.example'],
    ['a network-path reference', '//evil.example'],
    ['a triple slash', '///evil.example'],
    ['a slash and a backslash', '/\\evil.example'],
    ['a backslash inside the path', '/a\\b'],
    ['a backslash in the query', '/a?b=\\'],
    ['two backslashes', '\\\\evil.example'],
    ['a scheme', 'javascript:alert(1)'],
    ['no leading slash', 'evil.example'],
    ['a dot segment without slash', '.'],
    ['a tab', '/\tevil'],
    ['a space', '/a b'],
    ['a CR', '/ok\rX: 1'],
    ['a LF', '/ok\nX: 1'],
    ['a CRLF header injection', '/ok\r\nSet-Cookie: x=1'],
    ['a NUL', '/a\u0000'],
    ['a DEL', '/a\u007f'],
    // Same origin as a URL, but a server or router that decodes once sees `//evil.example` or `/\evil.example`.
    ['an encoded double slash', '/%2F%2Fevil.example'],
    ['an encoded slash after the leading one', '/%2fevil.example'],
    ['an encoded backslash after the leading one', '/%5Cevil.example'],
    ['a value one character too long', `/${'a'.repeat(2048)}`],
    ['a very long value', `/${'a'.repeat(100_000)}`],
    ['an array', ['/', '/a']],
    ['a number', 1],
    ['an object', { toString: () => '/' }],
    ['null', null],
  ])('refuses %s', (_label, value) => {
    expect(() => validateReturnTo(value)).toThrow(InvalidReturnToError);
  });

  it('refuses with the 400 invalid_return_to error', () => {
    expect(() => validateReturnTo('/\u3002evil.com')).toThrow(InvalidReturnToError);
    expect(new InvalidReturnToError()).toMatchObject({ code: 'invalid_return_to', status: 400 });
  });
});
