import { configProblems, VALID_ENV } from '../../../test/support/config-problems';
import { configFromOptions, loadConfig } from './load-config';

const VALID = VALID_ENV;

function problemsOf(env: Record<string, string>): string[] {
  return configProblems(() => loadConfig({ ...VALID, ...env }));
}

describe('BFF_MANAGEMENT_PORT and BFF_MANAGEMENT_HOST', () => {
  it.each([
    ['the port of PORT', { PORT: '8080', BFF_MANAGEMENT_PORT: '8080' }, /^BFF_MANAGEMENT_PORT: must differ from PORT/],
    ['the default PORT', { BFF_MANAGEMENT_PORT: '3000' }, /^BFF_MANAGEMENT_PORT: must differ from PORT/],
    [
      '0 (a listener needs a fixed port)',
      { BFF_MANAGEMENT_PORT: '0' },
      /^BFF_MANAGEMENT_PORT: must not be less than 1/,
    ],
    ['a port above 65535', { BFF_MANAGEMENT_PORT: '65536' }, /^BFF_MANAGEMENT_PORT: must not be greater than 65535/],
    ['a negative port', { BFF_MANAGEMENT_PORT: '-1' }, /^BFF_MANAGEMENT_PORT: must not be less than 1/],
    ['a name', { BFF_MANAGEMENT_PORT: 'metrics' }, /^BFF_MANAGEMENT_PORT: expected a whole number, got "metrics"$/],
    ['a fraction', { BFF_MANAGEMENT_PORT: '9090.5' }, /^BFF_MANAGEMENT_PORT: expected a whole number/],
  ])('refuses %s, naming the variable', (_case, env, problem) => {
    const problems = problemsOf(env);
    expect(problems).toEqual([expect.stringMatching(problem)]);
  });

  it('refuses an empty listen address given in code, naming the variable', () => {
    expect(() =>
      configFromOptions({
        oidc: { issuer: 'http://localhost:4000', clientId: 'bff', clientSecret: 'secret' },
        session: { secret: 'x'.repeat(32) },
        server: { managementPort: 9090, managementHost: '' },
      }),
    ).toThrow(/BFF_MANAGEMENT_HOST: /);
  });

  it('reports a bad management port together with the other problems', () => {
    const problems = problemsOf({ PORT: 'eighty', BFF_MANAGEMENT_PORT: '70000', SESSION_SECRET: 'short' });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^PORT: /),
        expect.stringMatching(/^BFF_MANAGEMENT_PORT: /),
        expect.stringMatching(/^SESSION_SECRET: /),
      ]),
    );
  });

  it('leaves everything on PORT when unset, and listens on loopback by default when set', () => {
    expect(loadConfig(VALID).server).toMatchObject({ managementPort: undefined, managementHost: '127.0.0.1' });
    expect(loadConfig({ ...VALID, PORT: '8080', BFF_MANAGEMENT_PORT: '9090' }).server).toMatchObject({
      port: 8080,
      managementPort: 9090,
      managementHost: '127.0.0.1',
    });
    expect(loadConfig({ ...VALID, BFF_MANAGEMENT_PORT: '9090', BFF_MANAGEMENT_HOST: '0.0.0.0' }).server).toMatchObject({
      managementHost: '0.0.0.0',
    });
  });
});

describe('BFF_ACCESS_LOG', () => {
  it('is on by default, off with false, and refuses anything but a boolean', () => {
    expect(loadConfig(VALID).server.accessLog).toBe(true);
    expect(loadConfig({ ...VALID, BFF_ACCESS_LOG: 'false' }).server.accessLog).toBe(false);
    expect(problemsOf({ BFF_ACCESS_LOG: 'quiet' })).toEqual(['BFF_ACCESS_LOG: expected true or false, got "quiet"']);
  });
});
