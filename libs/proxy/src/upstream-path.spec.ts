import { UnsafePathError } from './proxy.errors';
import { checkPathSegments, upstreamPathOf } from './upstream-path';

const PREFIX = '/api/demo'.length;

describe('upstreamPathOf', () => {
  it.each([
    ['/api/demo/me', '', { path: '/me', query: '' }],
    ['/api/demo/me?x=1&y=%2F', '', { path: '/me', query: 'x=1&y=%2F' }],
    ['/api/demo/orders/42', '/v1', { path: '/v1/orders/42', query: '' }],
    ['/api/demo', '/v1/', { path: '/v1', query: '' }],
    ['/api/demo', '', { path: '/', query: '' }],
    ['/api/demo/a%20b/c...d/.well-known', '', { path: '/a%20b/c...d/.well-known', query: '' }],
    ['/api/demo//evil.example/x', '', { path: '//evil.example/x', query: '' }],
    ['/api/demo/a;b=1/..c;/...;/c', '', { path: '/a;b=1/..c;/...;/c', query: '' }],
  ])('forwards %s under base %p', (url, base, expected) => {
    expect(upstreamPathOf(url, PREFIX, base)).toEqual(expected);
  });

  it.each([
    '/api/demo/../admin',
    '/api/demo/./me',
    '/api/demo/%2e%2e/admin',
    '/api/demo/%2E%2e/admin',
    '/api/demo/.%2e/admin',
    '/api/demo/%252e%252e/admin',
    '/api/demo/a%2fb',
    '/api/demo/a%2Fb',
    '/api/demo/a%252fb',
    '/api/demo/a%5cb',
    '/api/demo/a\\b',
    '/api/demo/a%00b',
    '/api/demo/%zz',
    '/api/demo/me/..',
    '/api/demo/..;/admin',
    '/api/demo/..;x=1/admin',
    '/api/demo/.;/admin',
    '/api/demo/..%3B/admin',
    '/api/demo/..%3b/admin',
    '/api/demo/%2e%2e;/admin',
    '/api/demo/%2E.%3B/admin',
    '/api/demo/%252e%252e%253b/admin',
    '/api/demo/..%253B/admin',
    '/api/demo/me/..;',
  ])('refuses %s', (url) => {
    expect(() => upstreamPathOf(url, PREFIX, '')).toThrow(UnsafePathError);
  });

  it('refuses a route name that is only a prefix of the path segment', () => {
    expect(() => upstreamPathOf('/api/demoX/me', PREFIX, '')).toThrow(UnsafePathError);
  });

  it.each(['/api/demo/.', '/api/demo/a/./b', '/api/demo/a/../b', '/api/demo/a/..'])(
    'refuses the dot segment of the plain path %s',
    (url) => {
      expect(() => upstreamPathOf(url, PREFIX, '')).toThrow('dot segments are not allowed');
    },
  );

  it.each(['/api/demo/.a', '/api/demo/a./b', '/api/demo/.../b', '/api/demo/..a/b', '/api/demo/a.b/c'])(
    'forwards the dotted but plain path %s',
    (url) => {
      expect(upstreamPathOf(url, PREFIX, '').path).toBe(url.slice(PREFIX));
    },
  );

  // Plain paths take a shorter check than the segment-by-segment one: on every path of a small
  // alphabet mixing plain characters with those that need decoding, both must agree.
  it('decides every generated path as the segment-by-segment check does', () => {
    const alphabet = ['a', '.', '/', '%', '2', 'e', 'F', ';', '\\', '5', 'c', '0', '~', '-', ' ', 'é'];
    let seed = 42;
    const next = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const outcome = (run: () => unknown): string => {
      try {
        run();
        return 'forwarded';
      } catch (error) {
        return error instanceof UnsafePathError ? error.message : String(error);
      }
    };
    let refused = 0;
    for (let i = 0; i < 20_000; i += 1) {
      const rest = `/${Array.from({ length: next(10) }, () => alphabet[next(alphabet.length)] ?? '').join('')}`;
      const expected = outcome(() => {
        checkPathSegments(rest);
      });
      expect({ rest, decided: outcome(() => upstreamPathOf(`/api/demo${rest}`, PREFIX, '')) }).toEqual({
        rest,
        decided: expected,
      });
      if (expected !== 'forwarded') refused += 1;
    }
    // The alphabet must exercise both outcomes, or the comparison says nothing.
    expect(refused).toBeGreaterThan(1_000);
    expect(refused).toBeLessThan(19_000);
  });
});
