import { configProblems } from '../../../test/support/config-problems';
import { bffOptionsFromEnv, configFromOptions, loadConfig, type BffOptions } from './load-config';

const VALID: BffOptions = {
  oidc: { issuer: 'http://localhost:4000', clientId: 'bff', clientSecret: 'secret' },
  session: { secret: 'x'.repeat(32) },
};

function problemsOf(options: BffOptions): string[] {
  return configProblems(() => configFromOptions(options));
}

describe('configFromOptions (options passed in code)', () => {
  it('gives the same configuration as the equivalent environment', () => {
    const fromCode = configFromOptions({
      ...VALID,
      server: { port: 3100 },
      proxy: { routes: [{ name: 'demo', upstream: 'http://localhost:4001', token: 'user' }] },
    });
    const fromEnv = loadConfig({
      OIDC_ISSUER: 'http://localhost:4000',
      OIDC_CLIENT_ID: 'bff',
      OIDC_CLIENT_SECRET: 'secret',
      SESSION_SECRET: 'x'.repeat(32),
      PORT: '3100',
      BFF_ROUTES: '[{"name":"demo","upstream":"http://localhost:4001","token":"user"}]',
    });
    expect(fromCode).toEqual(fromEnv);
    expect(fromCode.server.publicUrl).toBe('http://localhost:3100');
    expect(fromCode.proxy.routes[0]?.timeoutMs).toBe(30000);
  });

  it('reports every problem at once, named by the variable of the reference', () => {
    const problems = problemsOf({
      oidc: { issuer: 'http://idp.example', clientId: '' },
      session: { secret: 'short' },
      server: { port: 70000 },
      proxy: { routes: [{ name: 'Bad Name', upstream: 'http://10.0.0.1' }] },
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^OIDC_ISSUER: /),
        expect.stringMatching(/^OIDC_CLIENT_ID: /),
        expect.stringMatching(/^SESSION_SECRET: /),
        expect.stringMatching(/^PORT: /),
        expect.stringMatching(/^BFF_ROUTES\[0\]/),
      ]),
    );
    expect(problems.length).toBeGreaterThanOrEqual(5);
  });

  it('refuses an option the section does not have, so a misspelt one is not silently ignored', () => {
    const problems = problemsOf({ ...VALID, oidc: { ...VALID.oidc, clientSecrte: 'x' } as BffOptions['oidc'] });
    expect(problems.join('\n')).toMatch(/clientSecrte/);
  });

  it('never echoes a secret in its problems', () => {
    const problems = problemsOf({ ...VALID, session: { secret: 'too-short-but-secret' } });
    expect(problems.join('\n')).not.toContain('too-short-but-secret');
  });
});

describe('route token policies', () => {
  const route = (extra: Record<string, unknown>) => ({ name: 'r', upstream: 'http://localhost:4001', ...extra });

  it.each([
    [{ token: 'client', resource: 'http://localhost:4001', scope: 'read write' }],
    [{ token: 'user-or-client', audience: 'reports' }],
    [{ token: 'exchange', audience: 'reports' }],
    [{ token: 'exchange', resource: 'http://localhost:4002' }],
    [{ token: 'user', resource: 'http://localhost:4001' }],
    [{ token: 'user', acr: ['urn:dev-idp:mfa'] }],
    [{ token: 'exchange', audience: 'reports', acr: ['a', 'b'] }],
  ])('accepts %j', (extra) => {
    expect(() => configFromOptions({ ...VALID, proxy: { routes: [route(extra)] } })).not.toThrow();
  });

  it.each([
    [{ token: 'exchange' }, /"exchange" needs an "audience" or a "resource"/],
    [{ token: 'none', scope: 'read' }, /"none" sends no token/],
    [{ token: 'user', audience: 'reports' }, /use "exchange" for an audience/],
    [{ token: 'client', resource: 'not a url' }, /\[resource\]/],
    [{ token: 'client', scope: 'bad"scope' }, /\[scope\]: must be space-separated/],
    [{ token: 'sometimes' }, /\[token\]/],
    [{ token: 'none', acr: ['mfa'] }, /"acr" \(step-up\) means nothing/],
    [{ token: 'optional-user', acr: ['mfa'] }, /"acr" \(step-up\) means nothing/],
    [{ token: 'user', acr: [] }, /\[acr\]/],
    [{ token: 'user', acr: ['two words'] }, /\[acr\]: each acr value must be printable ASCII/],
    [{ token: 'user', acr: ['a'.repeat(200), 'b'.repeat(60)] }, /"acr" joined by spaces must be at most 255/],
  ])('refuses the impossible route %j at boot, naming it', (extra, problem) => {
    const problems = problemsOf({ ...VALID, proxy: { routes: [route(extra)] } });
    expect(problems.join('\n')).toMatch(/BFF_ROUTES\[0\]/);
    expect(problems.join('\n')).toMatch(problem);
  });
});

describe('OIDC_LOGIN_PARAMETERS', () => {
  it('defaults to all five and takes a subset', () => {
    expect(configFromOptions(VALID).oidc.loginParameters).toEqual([
      'prompt',
      'login_hint',
      'ui_locales',
      'acr_values',
      'max_age',
    ]);
    const env = bffOptionsFromEnv({ OIDC_LOGIN_PARAMETERS: 'acr_values, max_age' });
    expect(configFromOptions({ ...VALID, oidc: { ...VALID.oidc, ...env.oidc } }).oidc.loginParameters).toEqual([
      'acr_values',
      'max_age',
    ]);
  });

  it('refuses an unknown name at boot, naming the variable', () => {
    const env = bffOptionsFromEnv({ OIDC_LOGIN_PARAMETERS: 'prompt,redirect_uri' });
    expect(problemsOf({ ...VALID, oidc: { ...VALID.oidc, ...env.oidc } })).toEqual(
      expect.arrayContaining([expect.stringMatching(/^OIDC_LOGIN_PARAMETERS: must list only prompt, login_hint/)]),
    );
  });
});

describe('bffOptionsFromEnv', () => {
  it('reads the variables into typed options without validating them', () => {
    const options = bffOptionsFromEnv({ PORT: '3200', BFF_DEV_INSECURE_COOKIES: 'true', BFF_ALLOWED_ORIGINS: 'a, b' });
    expect(options.server).toEqual({ port: 3200, devInsecureCookies: true, allowedOrigins: ['a', 'b'] });
  });

  it('carries variables that cannot be parsed into the one report of configFromOptions', () => {
    const options = bffOptionsFromEnv({ PORT: 'abc', OIDC_ISSUER: 'http://localhost:4000' });
    expect(problemsOf(options)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^PORT: expected a whole number/),
        expect.stringMatching(/^OIDC_CLIENT_ID: /),
      ]),
    );
  });
});
