import { DpopNonces, isDpopNonce } from './dpop-nonces';

describe('isDpopNonce', () => {
  it.each(['a', 'eyJ7S_zG.eyJH0-Z.HX4w-7v', "!#$%&'()*+,-./:;<=>?@[]^_`{|}~", 'x'.repeat(512)])(
    'accepts %s (RFC 9449 NQCHAR, at most 512 characters)',
    (nonce) => {
      expect(isDpopNonce(nonce)).toBe(true);
    },
  );

  it.each([
    ['empty', ''],
    ['too long', 'x'.repeat(513)],
    ['a space', 'a b'],
    ['two joined by a comma', 'n1, n2'],
    ['a double quote', 'a"b'],
    ['a backslash', 'a\\b'],
    ['a control character', 'a\nb'],
    ['non-ASCII', 'nonce-é'],
    ['not a string', 42],
    ['null', null],
  ])('refuses %s', (_name, value) => {
    expect(isDpopNonce(value)).toBe(false);
  });
});

describe('DpopNonces', () => {
  it('keeps the last valid nonce per origin', () => {
    const nonces = new DpopNonces();
    expect(nonces.get('https://a.test')).toBeUndefined();
    expect(nonces.remember('https://a.test', 'n1')).toBe(true);
    expect(nonces.remember('https://b.test', 'm1')).toBe(true);
    expect(nonces.remember('https://a.test', 'n2')).toBe(true);
    expect(nonces.get('https://a.test')).toBe('n2');
    expect(nonces.get('https://b.test')).toBe('m1');
  });

  it.each([undefined, null, '', 'two, nonces', 'x'.repeat(513), 'bad"quote'])(
    'ignores %p and keeps the nonce it had',
    (value) => {
      const nonces = new DpopNonces();
      nonces.remember('https://a.test', 'n1');
      expect(nonces.remember('https://a.test', value)).toBe(false);
      expect(nonces.get('https://a.test')).toBe('n1');
    },
  );

  it('holds at most maxOrigins origins, dropping the least recently used', () => {
    const nonces = new DpopNonces(3);
    for (const origin of ['https://1.test', 'https://2.test', 'https://3.test']) nonces.remember(origin, 'n');
    nonces.get('https://1.test');
    nonces.remember('https://4.test', 'n');
    expect(nonces.size).toBe(3);
    expect(nonces.get('https://2.test')).toBeUndefined();
    expect(nonces.get('https://1.test')).toBe('n');
    expect(nonces.get('https://4.test')).toBe('n');
  });

  it('holds 1,000 origins by default', () => {
    const nonces = new DpopNonces();
    for (let i = 0; i < 1500; i++) nonces.remember(`https://${String(i)}.test`, 'n');
    expect(nonces.size).toBe(1000);
    expect(nonces.get('https://0.test')).toBeUndefined();
    expect(nonces.get('https://1499.test')).toBe('n');
  });
});
