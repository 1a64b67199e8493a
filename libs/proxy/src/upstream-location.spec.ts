import { browserLocationOf, type RouteLocation } from './upstream-location';

const BASED: RouteLocation = {
  upstreamOrigin: 'http://10.1.2.3:8080',
  basePath: '/v1',
  browserPrefix: '/api/orders',
};
const ROOT: RouteLocation = { ...BASED, basePath: '' };

describe('browserLocationOf', () => {
  it.each([
    ['http://10.1.2.3:8080/v1/orders/7', '/api/orders/orders/7'],
    ['http://10.1.2.3:8080/v1/orders/7?x=1#top', '/api/orders/orders/7?x=1#top'],
    ['http://10.1.2.3:8080/v1', '/api/orders'],
    ['/v1/next', '/api/orders/next'],
    ['next', '/api/orders/items/next'],
    ['//10.1.2.3:8080/v1/x', '/api/orders/x'],
    ['HTTP://10.1.2.3:8080/v1/x', '/api/orders/x'],
    ['/v1/a%2Fb', '/api/orders/a%2Fb'],
  ])('rewrites %s inside the base to %s', (location, expected) => {
    expect(browserLocationOf(location, BASED, '/v1/items/1')).toBe(expected);
  });

  it.each([
    'http://10.1.2.3:8080/internal/admin',
    'http://10.1.2.3:8080/v10/x',
    '/v1/../internal',
    '/v1/%2e%2e/internal',
    '/',
    '//10.1.2.3:8080/internal',
    'http://[::1',
  ])('drops %s, on the upstream origin outside the base (or unparseable)', (location) => {
    expect(browserLocationOf(location, BASED, '/v1/items/1')).toBeUndefined();
  });

  it.each(['https://idp.example/authorize?x=1', 'http://10.1.2.3:9090/v1/x', 'https://10.1.2.3:8080/v1/x'])(
    'passes %s, on another origin, unchanged',
    (location) => {
      expect(browserLocationOf(location, BASED, '/v1/items/1')).toBe(location);
    },
  );

  it('maps every path of the upstream origin when the base is the root', () => {
    expect(browserLocationOf('http://10.1.2.3:8080/internal/x', ROOT, '/')).toBe('/api/orders/internal/x');
    expect(browserLocationOf('/', ROOT, '/a')).toBe('/api/orders/');
  });
});
