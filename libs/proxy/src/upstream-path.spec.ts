import { UnsafePathError } from './proxy.errors';
import { upstreamPathOf } from './upstream-path';

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
});
