import { createHash, createPrivateKey, sign as signData } from 'node:crypto';
import { request } from 'node:http';
import { DpopKey } from '@bff/dpop';
import { createDemoApi } from './index';
import type { DemoApi, DemoApiDpopOptions, NotificationPublisher } from './index';
import { nowSeconds, signAccessToken, startIssuer, stopServer } from './testing/test-issuer';
import type { TestIssuer, TokenOptions } from './testing/test-issuer';

const AUDIENCE = 'http://localhost:4001';
const publisher: NotificationPublisher = { publish: () => Promise.resolve() };
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A proof with any header and claims, signed with `key` (for the proofs DpopKey never makes). */
function forgeProof(key: DpopKey, header: Record<string, unknown>, claims: Record<string, unknown>): string {
  const input = `${b64({ typ: 'dpop+jwt', alg: key.alg, jwk: key.publicJwk, ...header })}.${b64(claims)}`;
  const privateKey = createPrivateKey({ key: { ...key.toPrivateJwk(), alg: undefined }, format: 'jwk' });
  const signature =
    key.alg === 'ES256'
      ? signData('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' })
      : signData(null, Buffer.from(input), privateKey);
  return `${input}.${signature.toString('base64url')}`;
}

/** A GET through node:http, which can send a header twice and any Host. */
function rawGet(url: string, headers: Record<string, string | string[]>) {
  return new Promise<{ status: number; headers: Record<string, unknown> }>((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      res.resume();
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, headers: res.headers });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

describe('demo API: DPoP-bound access tokens', () => {
  let idp: TestIssuer;
  let api: DemoApi;
  const es = DpopKey.generate('ES256');
  const ed = DpopKey.generate('EdDSA');

  /** An access token bound to `key`, or to none with null. */
  const token = (key: DpopKey | null = es, o: TokenOptions = {}) =>
    signAccessToken(idp, AUDIENCE, { ...(key ? { cnf: { jkt: key.thumbprint } } : {}), ...o });

  /** Calls `path` with `Authorization: DPoP <token>` and, unless `proof` is null, a proof. */
  async function dpopCall(
    path: string,
    o: {
      key?: DpopKey;
      accessToken?: string;
      method?: string;
      proof?: string | null;
      nonce?: string;
      target?: DemoApi;
    } = {},
  ) {
    const key = o.key ?? es;
    const target = o.target ?? api;
    const accessToken = o.accessToken ?? (await token(key));
    const method = o.method ?? 'GET';
    const proof =
      o.proof === undefined
        ? key.proof({ htm: method, htu: `${target.url}${path}`, accessToken, nonce: o.nonce })
        : o.proof;
    return fetch(`${target.url}${path}`, {
      method,
      headers: {
        authorization: `DPoP ${accessToken}`,
        ...(proof === null ? {} : { dpop: proof }),
        ...(method === 'POST' ? { 'content-type': 'application/json' } : {}),
      },
      ...(method === 'POST' ? { body: JSON.stringify({ message: 'hi' }) } : {}),
    });
  }

  /** Expects a 401 with the DPoP challenge `error` and the rejection counted under `reason`. */
  async function expectRejected(res: Response, error: string, reason: string, target: DemoApi = api) {
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe(`DPoP error="${error}", algs="ES256 EdDSA Ed25519 PS256"`);
    expect(await res.json()).toEqual({ error, message: expect.any(String) });
    expect(target.dpop.stats().rejected).toEqual({ [reason]: 1 });
    expect(target.dpop.stats().accepted).toBe(0);
  }

  async function startApi(dpop?: DemoApiDpopOptions): Promise<DemoApi> {
    return createDemoApi({ issuer: idp.issuer, audience: AUDIENCE, publisher, ...(dpop ? { dpop } : {}) });
  }

  beforeAll(async () => {
    idp = await startIssuer();
  });
  afterAll(async () => {
    await stopServer(idp.server);
  });
  beforeEach(async () => {
    api = await startApi();
  });
  afterEach(async () => {
    await api.close();
  });

  it.each([
    ['ES256', es],
    ['EdDSA', ed],
  ])('accepts a bound token with a valid %s proof, and says it got a DPoP token', async (_alg, key) => {
    const res = await dpopCall('/me', { key });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ sub: 'alice', token_type: 'DPoP', cnf: { jkt: key.thumbprint } });
    expect(api.dpop.stats()).toEqual({ accepted: 1, rejected: {}, replayedJti: 0, nonceChallenges: 0 });
  });

  it('echoes the token type on every route that echoes the token, and takes a POST proof', async () => {
    const catalog = await dpopCall('/public/catalog');
    expect(await catalog.json()).toMatchObject({ token_type: 'DPoP', sub: 'alice' });
    const reports = await dpopCall('/reports/summary', {
      accessToken: await token(es, { aud: `${AUDIENCE}/reports` }),
    });
    expect(await reports.json()).toMatchObject({ token_type: 'DPoP' });
    expect((await dpopCall('/notify', { method: 'POST' })).status).toBe(202);
    expect(api.dpop.stats().accepted).toBe(3);
  });

  it('leaves plain bearer tokens as they were: accepted as Bearer, no DPoP counted, no nonce sent', async () => {
    const res = await fetch(`${api.url}/me`, { headers: { authorization: `Bearer ${await token(null)}` } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ token_type: 'Bearer' });
    expect(res.headers.get('dpop-nonce')).toBeNull();
    expect(api.dpop.stats()).toEqual({ accepted: 0, rejected: {}, replayedJti: 0, nonceChallenges: 0 });
  });

  it('refuses a bound token sent as Bearer with a DPoP invalid_token challenge', async () => {
    const res = await fetch(`${api.url}/me`, { headers: { authorization: `Bearer ${await token(es)}` } });
    await expectRejected(res, 'invalid_token', 'bearer_scheme');
  });

  it('refuses an unbound token sent with the DPoP scheme', async () => {
    await expectRejected(await dpopCall('/me', { accessToken: await token(null) }), 'invalid_token', 'unbound_token');
  });

  it('refuses a token bound by other means than cnf.jkt, with the scheme it was sent with', async () => {
    const accessToken = await token(null, { cnf: { 'x5t#S256': 'abc' } });
    const asDpop = await dpopCall('/me', { accessToken });
    expect(asDpop.status).toBe(401);
    expect(asDpop.headers.get('www-authenticate')).toMatch(/^DPoP error="invalid_token"/);
    const asBearer = await fetch(`${api.url}/me`, { headers: { authorization: `Bearer ${accessToken}` } });
    expect(asBearer.status).toBe(401);
    expect(asBearer.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
  });

  it('answers an invalid token sent with the DPoP scheme with a DPoP challenge', async () => {
    const expired = await token(es, { iat: nowSeconds() - 120, exp: nowSeconds() - 60 });
    const res = await dpopCall('/me', { accessToken: expired });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^DPoP error="invalid_token"/);
    expect(await res.json()).toMatchObject({ error: 'invalid_token', message: expect.stringMatching(/expired/) });
  });

  it('refuses a request without a DPoP proof', async () => {
    await expectRejected(await dpopCall('/me', { proof: null }), 'invalid_dpop_proof', 'no_proof');
  });

  it('refuses a request with two DPoP headers', async () => {
    const accessToken = await token(es);
    const proof = () => es.proof({ htm: 'GET', htu: `${api.url}/me`, accessToken });
    const res = await rawGet(`${api.url}/me`, { authorization: `DPoP ${accessToken}`, dpop: [proof(), proof()] });
    expect(res.status).toBe(401);
    expect(api.dpop.stats().rejected).toEqual({ several_proofs: 1 });
  });

  it('refuses a proof for another method', async () => {
    const accessToken = await token(es);
    const proof = es.proof({ htm: 'POST', htu: `${api.url}/me`, accessToken });
    await expectRejected(await dpopCall('/me', { accessToken, proof }), 'invalid_dpop_proof', 'htm');
  });

  it.each([
    ['a query', (url: string) => `${url}/me?x=1`],
    ['another host', () => 'http://other.example.test/me'],
    ['another path', (url: string) => `${url}/orders`],
  ])('refuses a proof whose htu has %s', async (_name, htuOf) => {
    const accessToken = await token(es);
    const claims = { jti: 'j-htu', htm: 'GET', htu: htuOf(api.url), iat: nowSeconds(), ath: athOf(accessToken) };
    await expectRejected(
      await dpopCall('/me', { accessToken, proof: forgeProof(es, {}, claims) }),
      'invalid_dpop_proof',
      'htu',
    );
  });

  it('takes the htu from the Host header the client sent, ignoring the query of the request', async () => {
    const accessToken = await token(es);
    const port = new URL(api.url).port;
    const proof = es.proof({ htm: 'GET', htu: `http://localhost:${port}/me`, accessToken });
    const res = await rawGet(`${api.url}/me?verbose=1`, {
      host: `localhost:${port}`,
      authorization: `DPoP ${accessToken}`,
      dpop: proof,
    });
    expect(res.status).toBe(200);
  });

  it('refuses a proof when the Host header names no authority', async () => {
    const accessToken = await token(es);
    const proof = es.proof({ htm: 'GET', htu: `${api.url}/me`, accessToken });
    const res = await rawGet(`${api.url}/me`, {
      host: 'bad host/x',
      authorization: `DPoP ${accessToken}`,
      dpop: proof,
    });
    expect(res.status).toBe(401);
    expect(api.dpop.stats().rejected).toEqual({ htu: 1 });
  });

  it('expects every htu at publicOrigin when one is configured, whatever the Host header', async () => {
    const behindProxy = await startApi({ publicOrigin: 'https://api.example.test' });
    try {
      const accessToken = await token(es);
      const at = (htu: string) => es.proof({ htm: 'GET', htu, accessToken });
      expect(
        (await dpopCall('/me', { target: behindProxy, accessToken, proof: at('https://api.example.test/me') })).status,
      ).toBe(200);
      const direct = await dpopCall('/me', { target: behindProxy, accessToken, proof: at(`${behindProxy.url}/me`) });
      expect(direct.status).toBe(401);
      expect(behindProxy.dpop.stats()).toMatchObject({ accepted: 1, rejected: { htu: 1 } });
    } finally {
      await behindProxy.close();
    }
  });

  it.each([
    'api.example.test',
    'https://api.example.test/base',
    'ftp://api.example.test',
    'https://u:p@api.example.test',
  ])('refuses to start with publicOrigin %s', async (publicOrigin) => {
    await expect(startApi({ publicOrigin })).rejects.toThrow(/publicOrigin/);
  });

  it.each([
    ['two minutes old', -120],
    ['two minutes in the future', 120],
  ])('refuses a proof %s', async (_name, offset) => {
    const accessToken = await token(es);
    const proof = es.proof({ htm: 'GET', htu: `${api.url}/me`, accessToken, iat: nowSeconds() + offset });
    await expectRejected(await dpopCall('/me', { accessToken, proof }), 'invalid_dpop_proof', 'iat');
  });

  it('accepts a proof once and counts the replayed jti', async () => {
    const accessToken = await token(es);
    const proof = es.proof({ htm: 'GET', htu: `${api.url}/me`, accessToken });
    expect((await dpopCall('/me', { accessToken, proof })).status).toBe(200);
    const replay = await dpopCall('/me', { accessToken, proof });
    expect(replay.status).toBe(401);
    expect(replay.headers.get('www-authenticate')).toMatch(/^DPoP error="invalid_dpop_proof"/);
    expect(api.dpop.stats()).toEqual({ accepted: 1, rejected: { replay: 1 }, replayedJti: 1, nonceChallenges: 0 });
  });

  it('refuses a proof bound to another access token (ath)', async () => {
    const accessToken = await token(es);
    const proof = es.proof({ htm: 'GET', htu: `${api.url}/me`, accessToken: await token(es, { sub: 'bob' }) });
    await expectRejected(await dpopCall('/me', { accessToken, proof }), 'invalid_dpop_proof', 'ath');
  });

  it('refuses a proof by another key than the token is bound to (cnf.jkt), as invalid_token', async () => {
    const accessToken = await token(es);
    const proof = ed.proof({ htm: 'GET', htu: `${api.url}/me`, accessToken });
    await expectRejected(await dpopCall('/me', { accessToken, proof }), 'invalid_token', 'jkt');
  });

  it.each([
    ['alg none', { alg: 'none' }, 'alg'],
    ['alg HS256', { alg: 'HS256' }, 'alg'],
    ['typ JWT', { typ: 'JWT' }, 'typ'],
    ['a private member in its jwk', { jwk: { ...es.publicJwk, d: 'AAAA' } }, 'jwk'],
  ])('refuses a proof with %s', async (_name, header, reason) => {
    const accessToken = await token(es);
    const claims = { jti: 'j-header', htm: 'GET', htu: `${api.url}/me`, iat: nowSeconds(), ath: athOf(accessToken) };
    await expectRejected(
      await dpopCall('/me', { accessToken, proof: forgeProof(es, header, claims) }),
      'invalid_dpop_proof',
      reason,
    );
  });

  it('refuses a proof whose signature does not verify', async () => {
    const accessToken = await token(es);
    const [header, payload] = es.proof({ htm: 'GET', htu: `${api.url}/me`, accessToken }).split('.');
    const [, , otherSignature] = es.proof({ htm: 'GET', htu: `${api.url}/orders`, accessToken }).split('.');
    const proof = `${header ?? ''}.${payload ?? ''}.${otherSignature ?? ''}`;
    await expectRejected(await dpopCall('/me', { accessToken, proof }), 'invalid_dpop_proof', 'signature');
  });

  it('refuses a proof that is not a JWT', async () => {
    await expectRejected(await dpopCall('/me', { proof: 'not-a-proof' }), 'invalid_dpop_proof', 'malformed');
  });

  describe('with DEMO_API_DPOP_NONCE (requireNonce)', () => {
    let nonced: DemoApi;
    beforeEach(async () => {
      nonced = await startApi({ requireNonce: true });
    });
    afterEach(async () => {
      await nonced.close();
    });

    it('asks for its nonce with use_dpop_nonce and a DPoP-Nonce, then accepts the retry with it', async () => {
      const accessToken = await token(es);
      const first = await dpopCall('/me', { target: nonced, accessToken });
      await expectRejected(first, 'use_dpop_nonce', 'nonce', nonced);
      const nonce = first.headers.get('dpop-nonce');
      expect(nonce).toMatch(/^[A-Za-z0-9_-]{22}$/);
      const retry = await dpopCall('/me', { target: nonced, accessToken, nonce: nonce ?? '' });
      expect(retry.status).toBe(200);
      expect(retry.headers.get('dpop-nonce')).toBe(nonce);
      expect(nonced.dpop.stats()).toEqual({ accepted: 1, rejected: { nonce: 1 }, replayedJti: 0, nonceChallenges: 1 });
    });

    it('sends the current nonce on every answer, also to requests without a token', async () => {
      const health = await fetch(`${nonced.url}/health`);
      expect(health.headers.get('dpop-nonce')).toBe(nonced.dpop.nonce());
    });

    it('accepts the previous nonce after a rotation, and refuses one two rotations old as stale', async () => {
      const old = nonced.dpop.nonce() ?? '';
      nonced.dpop.rotateNonce();
      expect(nonced.dpop.nonce()).not.toBe(old);
      expect((await dpopCall('/me', { target: nonced, nonce: old })).status).toBe(200);
      nonced.dpop.rotateNonce();
      const stale = await dpopCall('/me', { target: nonced, nonce: old });
      await expect(stale.json()).resolves.toMatchObject({ error: 'use_dpop_nonce' });
      expect(stale.headers.get('dpop-nonce')).toBe(nonced.dpop.nonce());
      expect(nonced.dpop.stats()).toMatchObject({ accepted: 1, nonceChallenges: 1 });
    });

    it('still takes plain bearer tokens without any proof or nonce', async () => {
      const res = await fetch(`${nonced.url}/me`, { headers: { authorization: `Bearer ${await token(null)}` } });
      expect(res.status).toBe(200);
    });
  });

  it('sends no nonce and asks for none unless configured', async () => {
    const res = await dpopCall('/me', { nonce: 'anything' });
    expect(res.status).toBe(200);
    expect(res.headers.get('dpop-nonce')).toBeNull();
    expect(api.dpop.nonce()).toBeUndefined();
  });
});

function athOf(accessToken: string): string {
  return createHash('sha256').update(accessToken).digest('base64url');
}
