import { generateKeyPairSync } from 'node:crypto';
import { OidcConfig } from '@bff/config';
import { decodeProtectedHeader, importJWK, jwtVerify, type JWK } from 'jose';
import type { ClientAuth } from 'openid-client';
import { ClientAssertionKeys } from './client-assertion-keys';

function configWith(key: string | undefined, method: OidcConfig['clientAuthMethod'] = 'private_key_jwt'): OidcConfig {
  return Object.assign(new OidcConfig(), { clientId: 'bff', clientAuthMethod: method, clientPrivateKey: key });
}

/** Runs a ClientAuth as openid-client would at the token endpoint; returns the form it wrote. */
async function assertionFormOf(keys: ClientAssertionKeys): Promise<URLSearchParams> {
  // openid-client types a ClientAuth as returning void; PrivateKeyJwt's signs asynchronously.
  const auth = (await keys.privateKeyJwt()) as unknown as (...args: Parameters<ClientAuth>) => Promise<void>;
  const body = new URLSearchParams();
  await auth({ issuer: 'https://idp.example' }, { client_id: 'bff' }, body, new Headers());
  return body;
}

describe('ClientAssertionKeys', () => {
  it.each([
    ['EC P-256', 'ES256', generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey],
    ['Ed25519', 'EdDSA', generateKeyPairSync('ed25519').privateKey],
    ['RSA', 'PS256', generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey],
  ])('signs %s client assertions as %s that its published key verifies', async (_label, alg, key) => {
    const keys = new ClientAssertionKeys(configWith(key.export({ format: 'pem', type: 'pkcs8' }) as string));
    const published = keys.jwks?.keys[0];
    expect(published).toMatchObject({ alg, use: 'sig' });
    const form = await assertionFormOf(keys);
    expect(form.get('client_assertion_type')).toBe('urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
    const assertion = form.get('client_assertion') ?? '';
    expect(decodeProtectedHeader(assertion)).toMatchObject({ alg, kid: published?.kid });
    const { payload } = await jwtVerify(assertion, await importJWK(published as JWK, alg), {
      issuer: 'bff',
      subject: 'bff',
      audience: 'https://idp.example',
    });
    expect(payload.jti).toEqual(expect.any(String));
  });

  it('imports the signing key once: a second import is refused, the Node key object being dropped', async () => {
    const pem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' });
    const keys = new ClientAssertionKeys(configWith(pem as string));
    await keys.privateKeyJwt();
    await expect(keys.privateKeyJwt()).rejects.toThrow(/not the configured client authentication/);
  });

  it('publishes nothing, and holds no key, with a client secret', () => {
    const pem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' });
    const keys = new ClientAssertionKeys(configWith(pem as string, 'client_secret_basic'));
    expect(keys.jwks).toBeUndefined();
    expect(keys.alg).toBeUndefined();
  });

  it('never shows a private member in what it publishes, however it is serialised', () => {
    const jwk = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
    const keys = new ClientAssertionKeys(configWith(JSON.stringify({ keys: [{ ...jwk, kid: 'r' }] })));
    const text = JSON.stringify(keys.jwks);
    for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(text).not.toContain(`"${member}"`);
    expect(Object.isFrozen(keys.jwks?.keys[0])).toBe(true);
  });
});
