import { randomBytes } from 'node:crypto';
import { createDevIdp, type DevIdpFapiOptions } from '@bff/dev-idp';
import { spawnBff } from '../support/bff-process';
import { FAPI_CLIENT_ID, generateClientKey } from '../support/fapi-stack';
import { freePort } from '../support/free-port';

const key = generateClientKey('ES256');

/** Boots a real BFF process with OIDC_PROFILE=fapi2 (debug logs) and returns how it ended. */
async function bootFapiBff(issuer: string, env: Record<string, string> = {}) {
  const bff = spawnBff({
    PORT: String(await freePort()),
    OIDC_ISSUER: issuer,
    OIDC_CLIENT_ID: FAPI_CLIENT_ID,
    OIDC_PROFILE: 'fapi2',
    OIDC_CLIENT_PRIVATE_KEY: key.pem,
    SESSION_SECRET: randomBytes(32).toString('base64url'),
    BFF_LOG_LEVEL: 'debug',
    ...env,
  });
  try {
    const { code } = await bff.exited;
    return { code, output: bff.output() };
  } finally {
    if (bff.child.exitCode === null) bff.child.kill('SIGKILL');
  }
}

/** Boots against the dev IdP in FAPI mode with some of it turned off. */
async function bootAgainst(fapi: DevIdpFapiOptions, env?: Record<string, string>) {
  const idp = await createDevIdp({ port: 0, profile: 'fapi2', fapi, clients: [] });
  try {
    return await bootFapiBff(idp.issuer, env);
  } finally {
    await idp.close();
  }
}

function expectNoKeyMaterial(output: string): void {
  for (const part of key.secretParts) expect(output).not.toContain(part);
}

describe('OIDC_PROFILE=fapi2 at boot, as a real process', () => {
  it.each<[string, DevIdpFapiOptions, RegExp]>([
    [
      'PAR',
      { par: false },
      /OIDC_PROFILE=fapi2 needs PAR \(pushed authorization requests\), but the provider has no pushed_authorization_request_endpoint/,
    ],
    ['DPoP', { dpop: false }, /OIDC_PROFILE=fapi2 needs DPoP, but the provider does not support it/],
    [
      'private_key_jwt',
      { privateKeyJwt: false },
      /OIDC_CLIENT_AUTH_METHOD=private_key_jwt: the provider does not accept it \(token_endpoint_auth_methods_supported: client_secret_basic\)/,
    ],
    [
      'ID tokens other than RS256',
      { idTokenSigningAlg: 'RS256' },
      /OIDC_PROFILE=fapi2 needs ID tokens signed with PS256, ES256 or EdDSA.*\(id_token_signing_alg_values_supported: RS256\)/,
    ],
  ])(
    'exits 1 naming it when the IdP has no %s',
    async (_label, fapi, problem) => {
      const { code, output } = await bootAgainst(fapi);
      expect(code).toBe(1);
      expect(output).toMatch(/OIDC_ISSUER\) does not offer what the configuration needs \(1 problem\)/);
      expect(output).toMatch(problem);
      expectNoKeyMaterial(output);
    },
    30_000,
  );

  it('names every missing feature in one message', async () => {
    const { code, output } = await bootAgainst({
      par: false,
      dpop: false,
      privateKeyJwt: false,
      idTokenSigningAlg: 'RS256',
    });
    expect(code).toBe(1);
    expect(output).toMatch(/does not offer what the configuration needs \(4 problems\)/);
    for (const feature of [
      /needs PAR/,
      /needs DPoP/,
      /private_key_jwt: the provider does not accept it/,
      /needs ID tokens/,
    ]) {
      expect(output).toMatch(feature);
    }
    expectNoKeyMaterial(output);
  }, 30_000);

  it('exits 1 on contradicting settings before asking any provider, naming each, echoing no secret', async () => {
    // Nothing listens there: a discovery attempt would fail differently.
    const issuer = `http://localhost:${String(await freePort())}`;
    const { code, output } = await bootFapiBff(issuer, {
      OIDC_CLIENT_AUTH_METHOD: 'client_secret_basic',
      OIDC_CLIENT_SECRET: 'the-client-secret-of-this-test',
      OIDC_PAR: 'never',
      OIDC_DPOP: 'false',
      OIDC_ID_TOKEN_SIGNING_ALG: 'RS256',
    });
    expect(code).toBe(1);
    for (const name of ['OIDC_CLIENT_AUTH_METHOD', 'OIDC_PAR', 'OIDC_DPOP', 'OIDC_ID_TOKEN_SIGNING_ALG']) {
      expect(output).toMatch(new RegExp(`${name}: must be .* with OIDC_PROFILE=fapi2`));
    }
    expect(output).not.toMatch(/discovery failed/);
    expect(output).not.toContain('the-client-secret-of-this-test');
    expectNoKeyMaterial(output);
  }, 30_000);

  it('exits 1 on an unusable key, quoting none of it', async () => {
    const weak = generateClientKey('ES256');
    const issuer = `http://localhost:${String(await freePort())}`;
    const { code, output } = await bootFapiBff(issuer, {
      OIDC_CLIENT_PRIVATE_KEY: weak.pem.replace('PRIVATE KEY', 'EC PRIVATE KEY'),
    });
    expect(code).toBe(1);
    expect(output).toMatch(/OIDC_CLIENT_PRIVATE_KEY: /);
    for (const part of weak.secretParts) expect(output).not.toContain(part);
  }, 30_000);
});

describe('OIDC_PAR outside the profile, as a real process', () => {
  it('exits 1 with OIDC_PAR=never against an IdP that requires PAR', async () => {
    const { code, output } = await bootAgainst(
      {},
      {
        OIDC_PROFILE: 'default',
        OIDC_CLIENT_AUTH_METHOD: 'private_key_jwt',
        OIDC_PAR: 'never',
      },
    );
    expect(code).toBe(1);
    expect(output).toMatch(/OIDC_PAR=never: the provider requires pushed authorization requests/);
  }, 30_000);
});
