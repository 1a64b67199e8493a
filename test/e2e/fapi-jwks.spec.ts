import { createPublicKey } from 'node:crypto';
import { BrowserClient } from '../support/browser-client';
import { startStack, type Stack } from '../support/bff-stack';
import { generateClientKey, jwkSetOf, startFapiStack, type ClientTestKey, type FapiStack } from '../support/fapi-stack';

const PUBLIC_MEMBERS = new Set(['kty', 'crv', 'x', 'y', 'n', 'e', 'kid', 'alg', 'use']);
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

interface PublishedKey {
  kid: string;
  alg: string;
  [member: string]: unknown;
}

async function jwksOf(url: string, init?: RequestInit): Promise<{ response: Response; text: string }> {
  const response = await fetch(`${url}/auth/jwks`, init);
  return { response, text: await response.text() };
}

function keysIn(text: string): PublishedKey[] {
  return (JSON.parse(text) as { keys: PublishedKey[] }).keys;
}

/** The public members of a test key, as node exports them. */
function publicMembersOf(key: ClientTestKey): Record<string, unknown> {
  const { pem } = key;
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...members } = createPublicKey(pem).export({ format: 'jwk' });
  return members;
}

describe('GET /auth/jwks with private_key_jwt', () => {
  const keys = [
    generateClientKey('ES256', 'ec-1'),
    generateClientKey('PS256', 'rsa-1'),
    generateClientKey('EdDSA', 'ed-1'),
  ];
  let stack: FapiStack;
  beforeAll(async () => {
    stack = await startFapiStack({ privateKey: jwkSetOf(...keys) });
  });
  afterAll(async () => {
    await stack.close();
  });

  it('publishes every key, public members only, cacheable for five minutes, without a session or X-CSRF', async () => {
    const { response, text } = await jwksOf(stack.url);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('public, max-age=300');
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(response.headers.getSetCookie()).toEqual([]);
    const published = keysIn(text);
    expect(published.map((key) => [key.kid, key.alg, key.use])).toEqual([
      ['ec-1', 'ES256', 'sig'],
      ['rsa-1', 'PS256', 'sig'],
      ['ed-1', 'EdDSA', 'sig'],
    ]);
    published.forEach((key, index) => {
      expect(Object.keys(key).filter((member) => !PUBLIC_MEMBERS.has(member))).toEqual([]);
      expect(key).toMatchObject(publicMembersOf(keys[index]!));
    });
  });

  it('holds no private member in any spelling and no byte of a private key', async () => {
    const { text } = await jwksOf(stack.url);
    const members = keysIn(text).flatMap((key) => Object.keys(key).map((member) => member.toLowerCase()));
    for (const member of PRIVATE_MEMBERS) expect(members).not.toContain(member);
    expect(text.toLowerCase()).not.toMatch(/"(d|p|q|dp|dq|qi|oth|k)"\s*:/);
    for (const part of keys.flatMap((key) => key.secretParts)) expect(text).not.toContain(part);
  });

  it('answers HEAD with the same headers and no body', async () => {
    const get = await jwksOf(stack.url);
    const head = await jwksOf(stack.url, { method: 'HEAD' });
    expect(head.response.status).toBe(200);
    expect(head.text).toBe('');
    expect(head.response.headers.get('cache-control')).toBe('public, max-age=300');
    expect(head.response.headers.get('content-length')).toBe(get.response.headers.get('content-length'));
  });

  it.each(['?x=1', '?keys=private', '?include=d&format=pem', '?kid=ec-1'])(
    'ignores the query string %s: the same public keys',
    async (query) => {
      const plain = await jwksOf(stack.url);
      const response = await fetch(`${stack.url}/auth/jwks${query}`);
      expect(response.status).toBe(200);
      expect(await response.text()).toBe(plain.text);
    },
  );

  it.each(['POST', 'PUT', 'DELETE', 'PATCH'])(
    'answers %s as /auth/user answers a wrong method: 404 JSON',
    async (method) => {
      const jwks = await fetch(`${stack.url}/auth/jwks`, { method, body: method === 'DELETE' ? undefined : '{}' });
      const user = await fetch(`${stack.url}/auth/user`, { method, body: method === 'DELETE' ? undefined : '{}' });
      expect(jwks.status).toBe(404);
      expect(jwks.status).toBe(user.status);
      expect(jwks.headers.get('cache-control')).toBe('no-store');
      expect(await jwks.json()).toEqual({ error: 'not_found', message: `Cannot ${method} /auth/jwks` });
    },
  );
});

describe('GET /auth/jwks with a client secret', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ redis: false });
  });
  afterAll(async () => {
    await stack.close();
  });

  it('is 404 JSON, never cached: there are no keys to publish', async () => {
    const { response, text } = await jwksOf(stack.url);
    expect(response.status).toBe(404);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(JSON.parse(text)).toEqual({ error: 'not_found', message: expect.stringMatching(/private_key_jwt/) });
  });
});

describe('client key rotation in three phases, against the dev IdP in FAPI mode', () => {
  it('publishes the new key first, then signs with it while the old one is still published, then drops the old one', async () => {
    const older = generateClientKey('ES256', 'old-key');
    const newer = generateClientKey('EdDSA', 'new-key');
    const stack = await startFapiStack({ privateKey: jwkSetOf(older, newer) });
    const assertionsSince = (count: number) => stack.idp.clientStats.clientAssertions.slice(count);
    try {
      // Phase 1: [old, new]: the old key signs, both are published.
      expect(keysIn((await jwksOf(stack.url)).text).map((key) => key.kid)).toEqual(['old-key', 'new-key']);
      let seen = stack.idp.clientStats.clientAssertions.length;
      expect((await new BrowserClient().login(stack.url)).status).toBe(302);
      expect(new Set(assertionsSince(seen).map(({ kid, alg }) => `${String(kid)} ${alg}`))).toEqual(
        new Set(['old-key ES256']),
      );

      // Phase 2: [new, old]: the new key signs; the IdP knows it from phase 1.
      await stack.restart({ OIDC_CLIENT_PRIVATE_KEY: jwkSetOf(newer, older) });
      expect(keysIn((await jwksOf(stack.url)).text).map((key) => key.kid)).toEqual(['new-key', 'old-key']);
      seen = stack.idp.clientStats.clientAssertions.length;
      expect((await new BrowserClient().login(stack.url)).status).toBe(302);
      expect(new Set(assertionsSince(seen).map(({ kid, alg }) => `${String(kid)} ${alg}`))).toEqual(
        new Set(['new-key EdDSA']),
      );

      // Phase 3: [new]: the old key is gone.
      await stack.restart({ OIDC_CLIENT_PRIVATE_KEY: jwkSetOf(newer) });
      expect(keysIn((await jwksOf(stack.url)).text).map((key) => key.kid)).toEqual(['new-key']);
      seen = stack.idp.clientStats.clientAssertions.length;
      const browser = new BrowserClient();
      expect((await browser.login(stack.url)).status).toBe(302);
      expect((await browser.api(`${stack.url}/auth/user`)).status).toBe(200);
      // PAR, then the code exchange twice: its first DPoP proof has no nonce yet (use_dpop_nonce, one retry).
      expect(assertionsSince(seen).map((assertion) => assertion.kid)).toEqual(['new-key', 'new-key', 'new-key']);
    } finally {
      await stack.close();
    }
  });

  it('signs PS256 client assertions with an RSA key the IdP accepts', async () => {
    const rsa = generateClientKey('PS256');
    const stack = await startFapiStack({ privateKey: rsa.pem, env: { OIDC_CLIENT_KEY_ID: 'rsa-pem' } });
    try {
      expect(keysIn((await jwksOf(stack.url)).text)).toEqual([
        { ...publicMembersOf(rsa), kid: 'rsa-pem', alg: 'PS256', use: 'sig' },
      ]);
      expect((await new BrowserClient().login(stack.url)).status).toBe(302);
      expect(stack.idp.clientStats.clientAssertions.map(({ kid, alg }) => `${String(kid)} ${alg}`)).toEqual([
        'rsa-pem PS256',
        'rsa-pem PS256',
        'rsa-pem PS256',
      ]);
    } finally {
      await stack.close();
    }
  });
});
