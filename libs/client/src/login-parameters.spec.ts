import { BffArgumentError } from './errors.js';
import { buildLoginUrl, stepUpOf, type BffLoginOptions } from './login-parameters.js';
import { openPage } from './testing/fake-page.js';

const PAGE = '/orders/7?tab=2';

describe('buildLoginUrl()', () => {
  it('maps each option to its query parameter, returnTo first, defaulting to the current page', () => {
    expect(buildLoginUrl('', {}, PAGE)).toBe('/auth/login?returnTo=%2Forders%2F7%3Ftab%3D2');
    expect(
      buildLoginUrl(
        '/bff',
        {
          returnTo: '/x',
          prompt: 'login consent',
          loginHint: 'alice@example.com',
          uiLocales: 'de-CH fr',
          acrValues: 'urn:example:mfa',
          maxAge: 0,
        },
        PAGE,
      ),
    ).toBe(
      '/bff/auth/login?returnTo=%2Fx&prompt=login%20consent&login_hint=alice%40example.com' +
        '&ui_locales=de-CH%20fr&acr_values=urn%3Aexample%3Amfa&max_age=0',
    );
  });

  it.each<[string, BffLoginOptions]>([
    ['an unknown prompt', { prompt: 'always' }],
    ['prompt none with another value', { prompt: 'none login' }],
    ['a repeated prompt', { prompt: 'login login' }],
    ['an empty prompt', { prompt: '' }],
    ['a double space between acr values', { acrValues: 'a  b' }],
    ['acr values with a control character', { acrValues: 'mfa\n' }],
    ['a login hint of 256 characters', { loginHint: 'a'.repeat(256) }],
    ['a login hint outside printable ASCII', { loginHint: 'jörg' }],
    ['a ui locale that is not a language tag', { uiLocales: 'de_CH' }],
    ['a negative max age', { maxAge: -1 }],
    ['a fractional max age', { maxAge: 1.5 }],
    ['a max age beyond the safe integers', { maxAge: 2 ** 53 }],
    ['a max age given as text', { maxAge: '60' as unknown as number }],
    ['an option the BFF does not know', { acr_values: 'mfa' } as BffLoginOptions],
    ['a returnTo on another site', { returnTo: '//evil.example/' }],
  ])('refuses %s with a BffArgumentError', (_, options) => {
    expect(() => buildLoginUrl('', options, PAGE)).toThrow(BffArgumentError);
  });

  it('names every problem at once', () => {
    expect(() => buildLoginUrl('', { prompt: 'x', maxAge: -1 }, PAGE)).toThrow(/prompt must be.*; maxAge must be/);
  });

  it('accepts the limits themselves: 255 characters, prompt none alone, a large max age', () => {
    const url = buildLoginUrl('', { loginHint: 'a'.repeat(255), prompt: 'none', maxAge: 2 ** 53 - 1 }, '/');
    expect(url).toContain('&max_age=9007199254740991');
  });
});

describe('stepUpOf()', () => {
  const login = (loginUrl: unknown) => stepUpOf({ error: 'step_up_required', loginUrl }, '/bff', PAGE);

  it('takes the BFF’s /auth/login URL, rebuilt under baseUrl', () => {
    expect(login('/auth/login?acr_values=urn%3Aexample%3Amfa&returnTo=%2Fpay')).toEqual({
      loginUrl: '/bff/auth/login?returnTo=%2Fpay&acr_values=urn%3Aexample%3Amfa',
      acrValues: 'urn:example:mfa',
    });
  });

  it('returns to the current page when the BFF names no returnTo', () => {
    expect(login('/auth/login?acr_values=mfa&max_age=300').loginUrl).toBe(
      '/bff/auth/login?returnTo=%2Forders%2F7%3Ftab%3D2&acr_values=mfa&max_age=300',
    );
  });

  it.each([
    ['another origin', 'https://evil.example/auth/login?acr_values=mfa&returnTo=%2Fpay'],
    ['a protocol-relative URL', '//evil.example/auth/login?acr_values=mfa&returnTo=%2Fpay'],
    ['another path', '/auth/logout?acr_values=mfa&returnTo=%2Fpay'],
    ['a path that only starts alike', '/auth/login/../../evil?acr_values=mfa&returnTo=%2Fpay'],
    ['a returnTo on another site', '/auth/login?acr_values=mfa&returnTo=%2F%2Fevil.example'],
    ['an unknown parameter', '/auth/login?acr_values=mfa&returnTo=%2Fpay&redirect_uri=https%3A%2F%2Fevil.example'],
    ['a repeated parameter', '/auth/login?acr_values=mfa&returnTo=%2Fpay&returnTo=%2Fother'],
    ['a bad max_age', '/auth/login?acr_values=mfa&returnTo=%2Fpay&max_age=-5'],
    ['a bad prompt', '/auth/login?acr_values=mfa&returnTo=%2Fpay&prompt=none%20login'],
    ['a fragment', '/auth/login?acr_values=mfa&returnTo=%2Fpay#x'],
  ])('refuses %s, building the login here, back to this page, with its acr_values', (_, loginUrl) => {
    expect(login(loginUrl)).toEqual({
      loginUrl: '/bff/auth/login?returnTo=%2Forders%2F7%3Ftab%3D2&acr_values=mfa',
      acrValues: 'mfa',
    });
  });

  it('builds a plain login when the body names no usable acr_values', () => {
    for (const loginUrl of [undefined, 42, '', 'https://evil.example/?acr_values=%0Abad']) {
      expect(login(loginUrl)).toEqual({
        loginUrl: '/bff/auth/login?returnTo=%2Forders%2F7%3Ftab%3D2',
        acrValues: undefined,
      });
    }
    expect(stepUpOf('not json', '', '/')).toEqual({ loginUrl: '/auth/login?returnTo=%2F', acrValues: undefined });
  });
});

describe('bff.login(options)', () => {
  it('keeps login(returnTo) and takes an options object', () => {
    const { bff, location } = openPage(() => new Response(null, { status: 204 }));
    bff.login('/a');
    bff.login({ acrValues: 'mfa', prompt: 'login' });
    bff.login({ returnTo: '', maxAge: 60 });
    expect(location.assigned).toEqual([
      '/auth/login?returnTo=%2Fa',
      '/auth/login?returnTo=%2Forders%2F7%3Ftab%3D2&prompt=login&acr_values=mfa',
      '/auth/login?returnTo=%2F&max_age=60',
    ]);
  });

  it('refuses bad options before navigating', () => {
    const { bff, location } = openPage(() => new Response(null, { status: 204 }));
    expect(() => {
      bff.login({ prompt: 'none consent' });
    }).toThrow(BffArgumentError);
    expect(() => {
      bff.login(null as unknown as string);
    }).toThrow(BffArgumentError);
    expect(location.assigned).toEqual([]);
  });
});
