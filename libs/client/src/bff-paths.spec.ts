import { apiPath, assertReturnTo, websocketUrl } from './bff-paths.js';
import { BffArgumentError } from './errors.js';
import { fakeLocation } from './testing/fake-browser.js';

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

describe('assertReturnTo', () => {
  it.each(['/', '/orders/7?tab=2', '/a#b'])('accepts the relative path %p', (value) => {
    expect(() => {
      assertReturnTo(value);
    }).not.toThrow();
  });

  it.each(['', 'orders', '//evil.example', '/\\evil.example', 'https://evil.example/', '/a\nb'])(
    'refuses %p, as the BFF would',
    (value) => {
      expect(() => {
        assertReturnTo(value);
      }).toThrow(BffArgumentError);
    },
  );
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
