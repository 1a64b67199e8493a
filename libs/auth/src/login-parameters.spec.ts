import { LOGIN_PARAMETERS, type LoginParameter } from '@bff/config';
import { InvalidLoginParameterError } from './auth.errors';
import { loginParameterProblem, readLoginQuery } from './login-parameters';

const ALL: readonly LoginParameter[] = LOGIN_PARAMETERS;

function refusalOf(rawQuery: string, allowed: readonly LoginParameter[] = ALL): InvalidLoginParameterError {
  try {
    readLoginQuery(rawQuery, allowed);
  } catch (error) {
    if (error instanceof InvalidLoginParameterError) return error;
    throw error;
  }
  throw new Error(`expected ${rawQuery} to be refused`);
}

describe('readLoginQuery', () => {
  it('reads returnTo and every listed parameter, decoding %XX and +', () => {
    expect(
      readLoginQuery(
        'returnTo=%2Fpay%3Fx%3D1&prompt=login+consent&login_hint=alice%40example.com&ui_locales=de-CH%20fr&acr_values=urn%3Amfa&max_age=0',
        ALL,
      ),
    ).toEqual({
      returnTo: '/pay?x=1',
      parameters: {
        prompt: 'login consent',
        login_hint: 'alice@example.com',
        ui_locales: 'de-CH fr',
        acr_values: 'urn:mfa',
        max_age: '0',
      },
      maxAge: 0,
    });
    expect(readLoginQuery('', ALL)).toEqual({ returnTo: undefined, parameters: {}, maxAge: undefined });
  });

  it.each([
    ['an unknown parameter', 'redirect_uri=https%3A%2F%2Fevil.example', 'redirect_uri'],
    ['a parameter OIDC_LOGIN_PARAMETERS leaves out', 'prompt=login', 'prompt', ['acr_values'] as LoginParameter[]],
    ['a parameter given twice', 'acr_values=a&acr_values=b', 'acr_values'],
    ['returnTo given twice', 'returnTo=%2Fa&returnTo=%2Fb', 'returnTo'],
    ['a malformed escape in a value', 'login_hint=%zz', 'login_hint'],
    ['a truncated escape in a value', 'login_hint=a%2', 'login_hint'],
    ['an escape that is not UTF-8', 'login_hint=%C3', 'login_hint'],
    ['an empty prompt', 'prompt=', 'prompt'],
    ['prompt none with another value', 'prompt=none+login', 'prompt'],
    ['an unknown prompt', 'prompt=always', 'prompt'],
    ['a repeated prompt value', 'prompt=login%20login', 'prompt'],
    ['a double space in acr_values', 'acr_values=a%20%20b', 'acr_values'],
    ['a control character', 'acr_values=mfa%0A', 'acr_values'],
    ['a login_hint outside printable ASCII', 'login_hint=j%C3%B6rg', 'login_hint'],
    ['a login_hint of 256 characters', `login_hint=${'a'.repeat(256)}`, 'login_hint'],
    ['a ui_locales entry that is not a tag', 'ui_locales=de_CH', 'ui_locales'],
    ['a negative max_age', 'max_age=-1', 'max_age'],
    ['a fractional max_age', 'max_age=1.5', 'max_age'],
    ['a max_age with a leading zero', 'max_age=01', 'max_age'],
    ['a max_age beyond the safe integers', 'max_age=9007199254740992', 'max_age'],
    ['an empty max_age', 'max_age', 'max_age'],
  ])(
    'refuses %s with 400 invalid_login_parameter naming it',
    (_label, query, name, allowed: readonly LoginParameter[] = ALL) => {
      const refusal = refusalOf(query, allowed);
      expect(refusal.status).toBe(400);
      expect(refusal.code).toBe('invalid_login_parameter');
      expect(refusal.message).toContain(`login parameter ${name} `);
    },
  );

  it('never echoes a value, nor a name that is not a plain name', () => {
    expect(refusalOf('login_hint=%3Cscript%3E%0A').message).not.toContain('script');
    const odd = refusalOf('%3Cb%3E=1');
    expect(odd.message).toBe('A login parameter is not a login parameter.');
    expect(refusalOf('%zz=1').parameter).toBeUndefined();
  });

  it('accepts the limits: 255 characters, prompt none alone, the largest safe max_age', () => {
    const query = `login_hint=${'a'.repeat(255)}&prompt=none&max_age=9007199254740991`;
    expect(readLoginQuery(query, ALL).maxAge).toBe(Number.MAX_SAFE_INTEGER);
  });
});

describe('the rules agree with the browser client (libs/client/src/login-parameters.ts)', () => {
  // Loaded untyped: the browser code type-checks under its own tsconfig (DOM, no Node).
  const { buildLoginUrl } = jest.requireActual<{
    buildLoginUrl: (baseUrl: string, options: Record<string, unknown>, currentPage: string) => string;
  }>('../../client/src/login-parameters');
  const OPTION: Record<LoginParameter, string> = {
    prompt: 'prompt',
    login_hint: 'loginHint',
    ui_locales: 'uiLocales',
    acr_values: 'acrValues',
    max_age: 'maxAge',
  };
  it.each<[LoginParameter, string]>([
    ['prompt', 'none'],
    ['prompt', 'login consent select_account'],
    ['prompt', 'none login'],
    ['prompt', 'consent consent'],
    ['prompt', 'create'],
    ['login_hint', 'alice@example.com'],
    ['login_hint', 'a b'],
    ['login_hint', 'ä'],
    ['login_hint', 'a'.repeat(255)],
    ['login_hint', 'a'.repeat(256)],
    ['ui_locales', 'de-CH fr'],
    ['ui_locales', 'x-private'],
    ['ui_locales', 'de_CH'],
    ['ui_locales', 'de  fr'],
    ['acr_values', 'urn:dev-idp:mfa https://acr.example/2'],
    ['acr_values', ' mfa'],
    ['max_age', '0'],
    ['max_age', '9007199254740991'],
    ['max_age', '9007199254740992'],
  ])('%s=%j', (name, value) => {
    const option = OPTION[name];
    const clientValue = name === 'max_age' ? Number(value) : value;
    let clientAccepts = true;
    try {
      buildLoginUrl('', { [option]: clientValue }, '/');
    } catch {
      clientAccepts = false;
    }
    expect(loginParameterProblem(name, value) === undefined).toBe(clientAccepts);
  });
});
