import { InvalidReturnToError } from './auth.errors';
import { validateReturnTo } from './return-to';

describe('validateReturnTo', () => {
  it.each(['/', '/orders', '/orders?id=1&x=%2F', '/a/b#c', '/path/with:colon'])(
    'accepts the relative path %s',
    (path) => {
      expect(validateReturnTo(path)).toBe(path);
    },
  );

  it('defaults to / when absent', () => {
    expect(validateReturnTo(undefined)).toBe('/');
    expect(validateReturnTo('')).toBe('/');
  });

  it.each([
    'https://evil.example',
    '//evil.example',
    '/\\evil.example',
    'javascript:alert(1)',
    'evil.example',
    '/\tevil',
    '/ok\r\nSet-Cookie: x=1',
    '\\\\evil.example',
    ['/', 'array'],
  ])('refuses %p', (value) => {
    expect(() => validateReturnTo(value)).toThrow(InvalidReturnToError);
  });
});
