import { readFileSync } from 'node:fs';
import { validateHeaderValue } from 'node:http';
import { join } from 'node:path';
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

// return-to-cases:start
/**
 * The returnTo rule, case by case: the path the BFF returns to, or null where it refuses. The
 * same table is in libs/auth/src/return-to.spec.ts (the BFF) and libs/client/src/bff-paths.spec.ts
 * (the browser client, which cannot import the BFF's code); a test there keeps the two equal.
 */
const RETURN_TO_CASES: readonly (readonly [value: string, returnsTo: string | null])[] = [
  ['', '/'],
  ['/', '/'],
  ['/orders/7?tab=2#top', '/orders/7?tab=2#top'],
  ["/search?q=a+b&sort=-date&tags=x,y;z@!$'()*", "/search?q=a+b&sort=-date&tags=x,y;z@!$'()*"],
  ['/a//b', '/a//b'],
  ['/a%2Fb', '/a%2Fb'],
  ['/a%5Cb', '/a%5Cb'],
  ['/%252F%252Fevil.example', '/%252F%252Fevil.example'],
  ['/%E3%80%82evil.com', '/%E3%80%82evil.com'],
  [`/${'a'.repeat(2047)}`, `/${'a'.repeat(2047)}`],
  [`/${'a'.repeat(2048)}`, null],
  ['//evil.example', null],
  ['///evil.example', null],
  ['/\\evil.example', null],
  ['/a\\b', null],
  ['/%2Fevil.example', null],
  ['/%2f%2fevil.example', null],
  ['/%5C%5Cevil.example', null],
  ['/%5cevil.example', null],
  ['https://evil.example/', null],
  ['javascript:alert(1)', null],
  ['orders', null],
  ['.', null],
  ['/a b', null],
  ['/a\tb', null],
  ['/ok\r\nSet-Cookie: x=1', null],
  ['/a\u0000', null],
  ['/\u3002evil.com', null],
  ['/caf\u00e9', null],
];
// return-to-cases:end

/** The marked block of the cases table in a spec's source text. */
function casesBlockOf(source: string): string {
  const marker = 'return-to-cases';
  const start = source.indexOf(`// ${marker}:start\n`);
  const end = source.indexOf(`// ${marker}:end\n`);
  expect(start).toBeGreaterThan(-1);
  expect(end).toBeGreaterThan(start);
  return source.slice(start, end);
}

/** What the rule makes of a value: the path to return to, or null where it refuses. */
function outcomeOf(value: string): string | null {
  try {
    return validateReturnTo(value);
  } catch (error) {
    if (error instanceof InvalidReturnToError) return null;
    throw error;
  }
}

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
    ['two encoded backslashes after the leading slash', '/%5C%5Cevil'],
    ['two encoded backslashes in lower case', '/%5c%5cevil'],
    ['a value one character too long', `/${'a'.repeat(2048)}`],
    ['a very long value', `/${'a'.repeat(100_000)}`],
    ['an array', ['/', '/a']],
    ['a number', 1],
    ['an object', { toString: () => '/' }],
    ['null', null],
  ])('refuses %s', (_label, value) => {
    expect(() => validateReturnTo(value)).toThrow(InvalidReturnToError);
  });

  // Each pair differs only in where the encoded `/` or `\\` stands: every other check passes both.
  it.each([
    ['/%2Fevil.example', '/a/%2Fevil.example'],
    ['/%2f%2fevil.example', '/a/%2f%2fevil.example'],
    ['/%5Cevil.example', '/a/%5Cevil.example'],
    ['/%5C%5Cevil', '/a/%5C%5Cevil'],
    ['/%5c', '/a/%5c'],
  ])('refuses %s, an encoded / or \\ right after the leading slash, and accepts %s', (refused, accepted) => {
    expect(() => validateReturnTo(refused)).toThrow(InvalidReturnToError);
    expect(validateReturnTo(accepted)).toBe(accepted);
  });

  it('accepts a second encoding after the leading slash: decoded once it is still a path here', () => {
    expect(validateReturnTo('/%252F%252Fevil.example')).toBe('/%252F%252Fevil.example');
    expect(validateReturnTo('/%255Cevil.example')).toBe('/%255Cevil.example');
  });

  it('decides every shared case as the browser client does', () => {
    expect(RETURN_TO_CASES.map(([value]) => [value, outcomeOf(value)])).toEqual(RETURN_TO_CASES);
  });

  it('shares its cases table with the browser client’s spec, case for case', () => {
    const own = casesBlockOf(readFileSync(__filename, 'utf8'));
    const client = casesBlockOf(readFileSync(join(__dirname, '../../client/src/bff-paths.spec.ts'), 'utf8'));
    expect(client).toBe(own);
  });

  it('refuses with the 400 invalid_return_to error', () => {
    expect(() => validateReturnTo('/\u3002evil.com')).toThrow(InvalidReturnToError);
    expect(new InvalidReturnToError()).toMatchObject({ code: 'invalid_return_to', status: 400 });
  });
});
