import { generateKeyPairSync } from 'node:crypto';
import { configProblems } from '../../../test/support/config-problems';
import { configFromOptions, loadConfig } from './load-config';

const BASE = {
  OIDC_ISSUER: 'http://localhost:4000',
  OIDC_CLIENT_ID: 'bff',
  SESSION_SECRET: 'x'.repeat(32),
};
const SECRET = 'the-client-secret-value';
const key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
const PEM = key.export({ format: 'pem', type: 'pkcs8' }) as string;
const D = String(key.export({ format: 'jwk' }).d);

function problemsOf(env: Record<string, string>): string[] {
  return configProblems(() => loadConfig(env));
}

describe('client authentication settings', () => {
  it('defaults to client_secret_basic, PAR when offered, no DPoP (ES256 when on), the default profile', () => {
    const { oidc } = loadConfig({ ...BASE, OIDC_CLIENT_SECRET: SECRET });
    expect(oidc).toMatchObject({
      profile: 'default',
      clientAuthMethod: 'client_secret_basic',
      par: 'auto',
      dpop: false,
      dpopAlg: 'ES256',
    });
    expect(oidc.idTokenSigningAlg).toBeUndefined();
  });

  it('needs no secret with private_key_jwt, but the key', () => {
    expect(
      loadConfig({ ...BASE, OIDC_CLIENT_AUTH_METHOD: 'private_key_jwt', OIDC_CLIENT_PRIVATE_KEY: PEM }).oidc,
    ).toMatchObject({ clientAuthMethod: 'private_key_jwt', clientSecret: '' });
    expect(problemsOf({ ...BASE, OIDC_CLIENT_AUTH_METHOD: 'private_key_jwt' })).toEqual([
      expect.stringMatching(/^OIDC_CLIENT_PRIVATE_KEY: is required with private_key_jwt/),
    ]);
  });

  it.each(['client_secret_basic', 'client_secret_post'])('needs the secret with %s', (method) => {
    expect(problemsOf({ ...BASE, OIDC_CLIENT_AUTH_METHOD: method })).toEqual([
      expect.stringMatching(/^OIDC_CLIENT_SECRET: is required with client_secret_basic and client_secret_post/),
    ]);
  });

  it('names every bad value at once', () => {
    const problems = problemsOf({
      ...BASE,
      OIDC_CLIENT_SECRET: SECRET,
      OIDC_CLIENT_AUTH_METHOD: 'tls_client_auth',
      OIDC_PAR: 'sometimes',
      OIDC_DPOP: 'maybe',
      OIDC_DPOP_ALG: 'RS256',
      OIDC_PROFILE: 'fapi1',
      OIDC_ID_TOKEN_SIGNING_ALG: 'HS256',
      OIDC_CLIENT_KEY_ID: 'has space',
    });
    expect(problems).toEqual(
      expect.arrayContaining(
        [
          'OIDC_CLIENT_AUTH_METHOD',
          'OIDC_PAR',
          'OIDC_DPOP',
          'OIDC_DPOP_ALG',
          'OIDC_PROFILE',
          'OIDC_ID_TOKEN_SIGNING_ALG',
          'OIDC_CLIENT_KEY_ID',
        ].map((name): unknown => expect.stringMatching(new RegExp(`^${name}: `))),
      ),
    );
    expect(problems.join('\n')).not.toContain(SECRET);
  });

  it('checks a key that is set even before private_key_jwt is turned on, and a kid without a key', () => {
    expect(problemsOf({ ...BASE, OIDC_CLIENT_SECRET: SECRET, OIDC_CLIENT_PRIVATE_KEY: '{"kty":"EC"' })).toEqual([
      expect.stringMatching(/^OIDC_CLIENT_PRIVATE_KEY: is not valid JSON/),
    ]);
    expect(problemsOf({ ...BASE, OIDC_CLIENT_SECRET: SECRET, OIDC_CLIENT_KEY_ID: 'k1' })).toEqual([
      'OIDC_CLIENT_KEY_ID: is set but OIDC_CLIENT_PRIVATE_KEY is not',
    ]);
  });

  it('never echoes the key or the secret, whatever is wrong with them', () => {
    const problems = problemsOf({
      ...BASE,
      OIDC_CLIENT_AUTH_METHOD: 'client_secret_post',
      OIDC_CLIENT_SECRET: '',
      OIDC_CLIENT_PRIVATE_KEY: `{"kty":"EC","crv":"P-256","d":"${D}",`,
    }).join('\n');
    expect(problems).toMatch(/OIDC_CLIENT_PRIVATE_KEY: /);
    expect(problems).not.toContain(D);
    const pemBody = PEM.split('\n')[1] ?? '';
    const broken = problemsOf({
      ...BASE,
      OIDC_CLIENT_SECRET: SECRET,
      OIDC_CLIENT_PRIVATE_KEY: PEM.replace('-----END', '--END'),
    });
    expect(broken.join('\n')).not.toContain(pemBody);
  });
});

describe('OIDC_PROFILE=fapi2', () => {
  it('turns on PAR always, private_key_jwt and DPoP where they are unset', () => {
    const { oidc } = loadConfig({ ...BASE, OIDC_PROFILE: 'fapi2', OIDC_CLIENT_PRIVATE_KEY: PEM });
    expect(oidc).toMatchObject({ profile: 'fapi2', par: 'always', clientAuthMethod: 'private_key_jwt', dpop: true });
  });

  it('accepts the values it would have chosen, and EdDSA proofs and PS256/ES256/EdDSA ID tokens', () => {
    const { oidc } = loadConfig({
      ...BASE,
      OIDC_PROFILE: 'fapi2',
      OIDC_CLIENT_PRIVATE_KEY: PEM,
      OIDC_PAR: 'always',
      OIDC_CLIENT_AUTH_METHOD: 'private_key_jwt',
      OIDC_DPOP: 'true',
      OIDC_DPOP_ALG: 'EdDSA',
      OIDC_ID_TOKEN_SIGNING_ALG: 'PS256',
    });
    expect(oidc).toMatchObject({ dpopAlg: 'EdDSA', idTokenSigningAlg: 'PS256' });
  });

  it('names every setting that contradicts it, all at once, before any provider is asked', () => {
    const problems = problemsOf({
      ...BASE,
      OIDC_PROFILE: 'fapi2',
      OIDC_CLIENT_AUTH_METHOD: 'client_secret_basic',
      OIDC_CLIENT_SECRET: SECRET,
      OIDC_PAR: 'never',
      OIDC_DPOP: 'false',
      OIDC_ID_TOKEN_SIGNING_ALG: 'RS256',
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^OIDC_CLIENT_AUTH_METHOD: must be private_key_jwt with OIDC_PROFILE=fapi2/),
        expect.stringMatching(/^OIDC_PAR: must be always with OIDC_PROFILE=fapi2/),
        expect.stringMatching(/^OIDC_DPOP: must be true with OIDC_PROFILE=fapi2/),
        expect.stringMatching(/^OIDC_ID_TOKEN_SIGNING_ALG: must be PS256, ES256 or EdDSA with OIDC_PROFILE=fapi2/),
      ]),
    );
    expect(problems.join('\n')).not.toContain(SECRET);
  });

  it('refuses OIDC_PAR=auto too: the profile needs PAR always', () => {
    expect(problemsOf({ ...BASE, OIDC_PROFILE: 'fapi2', OIDC_CLIENT_PRIVATE_KEY: PEM, OIDC_PAR: 'auto' })).toEqual([
      expect.stringMatching(/^OIDC_PAR: must be always/),
    ]);
  });

  it('requires the private key, as private_key_jwt does', () => {
    expect(problemsOf({ ...BASE, OIDC_PROFILE: 'fapi2' })).toEqual([
      expect.stringMatching(/^OIDC_CLIENT_PRIVATE_KEY: is required with private_key_jwt/),
    ]);
  });

  it('applies the same rules to options given in code', () => {
    expect(() =>
      configFromOptions({
        oidc: { issuer: BASE.OIDC_ISSUER, clientId: 'bff', profile: 'fapi2', dpop: false, clientPrivateKey: PEM },
        session: { secret: BASE.SESSION_SECRET },
      }),
    ).toThrow(/OIDC_DPOP: must be true with OIDC_PROFILE=fapi2/);
    const config = configFromOptions({
      oidc: { issuer: BASE.OIDC_ISSUER, clientId: 'bff', profile: 'fapi2', clientPrivateKey: PEM },
      session: { secret: BASE.SESSION_SECRET },
    });
    expect(config.oidc).toMatchObject({ par: 'always', clientAuthMethod: 'private_key_jwt', dpop: true });
  });
});
