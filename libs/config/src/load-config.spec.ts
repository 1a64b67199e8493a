import { configProblems, VALID_ENV } from '../../../test/support/config-problems';
import { loadConfig } from './load-config';

const VALID = VALID_ENV;

function problemsOf(env: Record<string, string>): string[] {
  return configProblems(() => loadConfig(env));
}

describe('loadConfig', () => {
  it('applies documented defaults and derives the dependent ones', () => {
    const config = loadConfig(VALID);
    expect(config.server.port).toBe(3000);
    expect(config.server.publicUrl).toBe('http://localhost:3000');
    expect(config.server.allowedOrigins).toEqual(['http://localhost:3000']);
    expect(config.session.cookieName).toBe('__Host-bff');
    expect(config.session.cookieSameSite).toBe('strict');
    expect(config.oidc.postLogoutRedirectUri).toBe('http://localhost:3000/');
    expect(config.oidc.scopes).toContain('offline_access');
    expect(config.redis.url).toBeUndefined();
    expect(config.proxy.bodyLimitBytes).toBe(10 * 1024 * 1024);
  });

  it('reports every missing variable at once, by name', () => {
    const problems = problemsOf({});
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^OIDC_ISSUER: /),
        expect.stringMatching(/^OIDC_CLIENT_ID: /),
        expect.stringMatching(/^OIDC_CLIENT_SECRET: /),
        expect.stringMatching(/^SESSION_SECRET: /),
      ]),
    );
    expect(problems.length).toBeGreaterThanOrEqual(4);
  });

  it('names unparsable and out-of-range values together', () => {
    const problems = problemsOf({
      ...VALID,
      PORT: 'eighty',
      SESSION_IDLE_TIMEOUT_SECONDS: '5',
      BFF_DEV_INSECURE_COOKIES: 'maybe',
      SESSION_COOKIE_SAMESITE: 'none',
      REDIS_URL: 'http://redis',
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        'PORT: expected a whole number, got "eighty"',
        'BFF_DEV_INSECURE_COOKIES: expected true or false, got "maybe"',
        expect.stringMatching(/^SESSION_IDLE_TIMEOUT_SECONDS: must not be less than 60/),
        expect.stringMatching(/^SESSION_COOKIE_SAMESITE: /),
        'REDIS_URL: must start with redis:// or rediss://',
      ]),
    );
  });

  it('refuses plain http to a non-loopback issuer or upstream', () => {
    const problems = problemsOf({
      ...VALID,
      OIDC_ISSUER: 'http://idp.example.com',
      BFF_ROUTES: JSON.stringify([{ name: 'orders', upstream: 'http://orders.internal' }]),
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^OIDC_ISSUER: plain http is allowed only on a loopback host/),
        expect.stringMatching(/^BFF_ROUTES\[0\] \(orders\)\.upstream: plain http/),
      ]),
    );
  });

  it('validates routes as data: defaults, duplicates, bad policy, unknown keys', () => {
    const ok = loadConfig({
      ...VALID,
      BFF_ROUTES: JSON.stringify([{ name: 'demo', upstream: 'http://127.0.0.1:4001' }]),
    });
    expect(ok.proxy.routes[0]).toMatchObject({ name: 'demo', token: 'user', timeoutMs: 30000 });

    const problems = problemsOf({
      ...VALID,
      BFF_ROUTES: JSON.stringify([
        { name: 'a', upstream: 'https://a.example' },
        { name: 'a', upstream: 'https://b.example', token: 'machine' },
        { name: 'c', upstream: 'https://c.example?x=1', timeout: 5 },
      ]),
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/duplicate route name "a"/),
        expect.stringMatching(/^BFF_ROUTES\[1\]\[token\]: /),
        expect.stringMatching(/^BFF_ROUTES\[2\]\[timeout\]: /),
        expect.stringMatching(/^BFF_ROUTES\[2\] \(c\)\.upstream: must not carry a query/),
      ]),
    );
  });

  it('reports malformed route JSON', () => {
    expect(problemsOf({ ...VALID, BFF_ROUTES: '[{' })).toEqual([expect.stringMatching(/^BFF_ROUTES: expected JSON/)]);
    expect(problemsOf({ ...VALID, BFF_ROUTES: '{}' })).toEqual(['BFF_ROUTES: expected a JSON array of routes']);
  });

  it('uses the insecure cookie name only in dev mode', () => {
    expect(loadConfig({ ...VALID, BFF_DEV_INSECURE_COOKIES: 'true' }).session.cookieName).toBe('bff');
    expect(problemsOf({ ...VALID, BFF_PUBLIC_URL: 'http://127.0.0.1:3000' })).toEqual([
      expect.stringMatching(/^BFF_PUBLIC_URL: Secure __Host- cookies need https/),
    ]);
  });

  it('requires the absolute lifetime to cover the idle one and sentinel settings to be complete', () => {
    const problems = problemsOf({
      ...VALID,
      SESSION_IDLE_TIMEOUT_SECONDS: '3600',
      SESSION_ABSOLUTE_TIMEOUT_SECONDS: '600',
      REDIS_URL: 'redis://127.0.0.1:6379',
      REDIS_MODE: 'sentinel',
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        'SESSION_ABSOLUTE_TIMEOUT_SECONDS: must not be shorter than SESSION_IDLE_TIMEOUT_SECONDS',
        'REDIS_SENTINELS: is required when REDIS_MODE is sentinel',
      ]),
    );
  });

  it('never puts a secret value into a problem message', () => {
    const problems = problemsOf({ ...VALID, SESSION_SECRET: 'short-secret-value' });
    expect(problems.join('\n')).not.toContain('short-secret-value');
  });
});
