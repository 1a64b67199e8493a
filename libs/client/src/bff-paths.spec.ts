import { apiPath, validateReturnTo, websocketUrl } from './bff-paths.js';
import { BffArgumentError } from './errors.js';
import { fakeLocation } from './testing/fake-browser.js';

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

describe('apiPath', () => {
  it.each([
    ['demo', 'me', '/api/demo/me'],
    ['demo', '/me', '/api/demo/me'],
    ['demo', 'orders/42/items?sort=desc&q=a%2Fb', '/api/demo/orders/42/items?sort=desc&q=a%2Fb'],
    ['demo', '/orders/', '/api/demo/orders/'],
    ['demo', '', '/api/demo'],
    ['demo', '/', '/api/demo'],
    ['demo', '?page=2', '/api/demo?page=2'],
    ['orders-v2', 'a%20b/c...d/.well-known', '/api/orders-v2/a%20b/c...d/.well-known'],
    ['demo', 'q?x=../..', '/api/demo/q?x=../..'],
  ])('joins route %p and path %p as %p', (route, path, expected) => {
    expect(apiPath(route, path)).toBe(expected);
  });

  it.each(['', 'Demo', '-demo', 'de/mo', 'demo?', '../auth', 'a'.repeat(64)])('refuses the route name %p', (route) => {
    expect(() => apiPath(route, 'me')).toThrow(BffArgumentError);
  });

  it.each([
    '//evil.example/x',
    '../auth/user',
    'me/..',
    'a/./b',
    '%2e%2e/auth/user',
    '.%2E/auth/user',
    'a\\..\\b',
    'a\\b',
    '.\t./auth/user',
    'me\n',
  ])('refuses the path %p, which a browser would rewrite to leave /api/<route>/', (path) => {
    expect(() => apiPath('demo', path)).toThrow(BffArgumentError);
  });

  it('keeps every accepted URL under /api/<route>/ once a browser has parsed it', () => {
    for (const path of ['me', '/me', 'a%2e/b', '...', 'a..b', 'x?y=/../../auth']) {
      expect(new URL(apiPath('demo', path), 'https://app.example').pathname).toMatch(/^\/api\/demo(\/|$)/);
    }
  });
});

/** What the client makes of a value: the path the BFF will return to, or null where it refuses. */
function outcomeOf(value: string): string | null {
  try {
    return validateReturnTo(value);
  } catch (error) {
    if (error instanceof BffArgumentError) return null;
    throw error;
  }
}

describe('validateReturnTo', () => {
  it('decides every shared case as the BFF does', () => {
    expect(RETURN_TO_CASES.map(([value]) => [value, outcomeOf(value)])).toEqual(RETURN_TO_CASES);
  });

  it('returns to / for an empty returnTo, as the BFF does', () => {
    expect(validateReturnTo('')).toBe('/');
  });

  it('refuses with a BffArgumentError that names the value', () => {
    expect(() => validateReturnTo('//evil.example')).toThrow(
      new BffArgumentError('returnTo must be a relative path on this site, got "//evil.example"'),
    );
  });
});

describe('websocketUrl', () => {
  it('uses wss: on an https page and ws: on an http page, on the page’s host', () => {
    expect(websocketUrl(fakeLocation('https://app.example/x'), '')).toBe('wss://app.example/ws');
    expect(websocketUrl(fakeLocation('http://localhost:3000/x'), '')).toBe('ws://localhost:3000/ws');
  });

  it('follows a base path or a base origin', () => {
    expect(websocketUrl(fakeLocation('https://app.example/x'), '/bff')).toBe('wss://app.example/bff/ws');
    expect(websocketUrl(fakeLocation('https://app.example/x'), 'http://127.0.0.1:3000')).toBe('ws://127.0.0.1:3000/ws');
  });
});
