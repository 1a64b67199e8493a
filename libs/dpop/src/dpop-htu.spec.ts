import { htuMatches, htuOf } from './dpop-htu';

describe('htuOf', () => {
  it.each([
    ['https://api.example.test/orders/42', 'https://api.example.test/orders/42'],
    ['https://api.example.test/orders?id=1#top', 'https://api.example.test/orders'],
    ['HTTPS://API.Example.TEST:443/a', 'https://api.example.test/a'],
    ['http://localhost:80/a', 'http://localhost/a'],
    ['http://127.0.0.1:4001/me', 'http://127.0.0.1:4001/me'],
    ['http://[::1]:4001/me', 'http://[::1]:4001/me'],
    ['https://user:pass@api.example.test/a', 'https://api.example.test/a'],
    ['https://api.example.test', 'https://api.example.test/'],
    ['https://api.example.test/a/./b/../c', 'https://api.example.test/a/c'],
    ['https://api.example.test/%7euser/%2f%41', 'https://api.example.test/~user/%2FA'],
  ])('takes scheme, host, port and path of %s', (url, htu) => {
    expect(htuOf(url)).toBe(htu);
    expect(htuOf(new URL(url))).toBe(htu);
  });

  it.each(['/relative/path', 'not a url', 'ftp://files.example.test/a', 'urn:example:a'])(
    'refuses %s, which is no absolute http(s) URL',
    (url) => {
      expect(() => htuOf(url)).toThrow(TypeError);
    },
  );
});

describe('htuMatches', () => {
  const request = 'http://localhost:4001/orders/42?page=2';

  it.each([
    'http://localhost:4001/orders/42',
    'HTTP://LOCALHOST:4001/orders/42',
    'http://localhost:4001/orders/%34%32',
    'http://localhost:4001/orders/x/../42',
  ])('accepts the claim %s for the request URI, whose query is ignored', (claim) => {
    expect(htuMatches(claim, request)).toBe(true);
  });

  it.each([
    ['a query', 'http://localhost:4001/orders/42?page=2'],
    ['an empty query', 'http://localhost:4001/orders/42?'],
    ['a fragment', 'http://localhost:4001/orders/42#x'],
    ['another host', 'http://evil.example:4001/orders/42'],
    ['another port', 'http://localhost:4002/orders/42'],
    ['another scheme', 'https://localhost:4001/orders/42'],
    ['another path', 'http://localhost:4001/orders/43'],
    ['a trailing slash', 'http://localhost:4001/orders/42/'],
    ['a relative URI', '/orders/42'],
    ['surrounding spaces', ' http://localhost:4001/orders/42 '],
    ['a backslash', 'http:\\\\localhost:4001\\orders\\42'],
    ['a non-ASCII character', 'http://localhost:4001/orders/42é'],
    ['an empty claim', ''],
  ])('refuses a claim with %s', (_name, claim) => {
    expect(htuMatches(claim, request)).toBe(false);
  });

  it('refuses when the request URI itself cannot be parsed', () => {
    expect(htuMatches('http://localhost:4001/', 'not a url')).toBe(false);
  });
});
