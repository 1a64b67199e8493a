import { generateKeyPair } from 'jose';
import { bffInternalPublisher, createDemoApi } from './index';
import type { DemoApi, NotificationFrame, NotificationPublisher } from './index';
import { nowSeconds, signAccessToken, startIssuer, startServer, stopServer } from './testing/test-issuer';
import type { TestIssuer, TokenOptions } from './testing/test-issuer';

const AUDIENCE = 'http://localhost:4001';
const REPORTS = 'http://localhost:4001/reports';

/** Records every publish; fails them while `failWith` is set. */
class RecordingPublisher implements NotificationPublisher {
  readonly published: { channel: string; frame: NotificationFrame }[] = [];
  failWith: Error | undefined;
  publish(channel: string, frame: NotificationFrame): Promise<void> {
    if (this.failWith) return Promise.reject(this.failWith);
    this.published.push({ channel, frame });
    return Promise.resolve();
  }
}

describe('demo API', () => {
  let idp: TestIssuer;
  let publisher: RecordingPublisher;
  let api: DemoApi;
  const now = nowSeconds;
  const sign = (o: TokenOptions = {}) => signAccessToken(idp, AUDIENCE, o);

  const call = (path: string, init: RequestInit = {}) => fetch(`${api.url}${path}`, init);
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const notify = async (body: unknown, token?: string) =>
    call('/notify', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(token ?? (await sign())) },
      body: JSON.stringify(body),
    });

  beforeAll(async () => {
    idp = await startIssuer();
  });
  afterAll(async () => {
    await stopServer(idp.server);
  });
  beforeEach(async () => {
    publisher = new RecordingPublisher();
    api = await createDemoApi({ issuer: idp.issuer, audience: AUDIENCE, publisher });
  });
  afterEach(async () => {
    await api.close();
  });

  it('answers /health without a token', async () => {
    const res = await call('/health');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('returns the verified claims of a valid access token from /me, with its token type', async () => {
    const iat = now();
    const res = await call('/me', { headers: bearer(await sign({ iat, exp: iat + 60 })) });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.json()).toEqual({
      sub: 'alice',
      exp: iat + 60,
      iat,
      scope: 'openid profile',
      aud: AUDIENCE,
      client_id: 'bff',
      token_type: 'Bearer',
    });
  });

  it('answers /sensitive with the caller’s made-up account and the token it got, only with a valid token', async () => {
    const res = await call('/sensitive', { headers: bearer(await sign({ sub: 'bob' })) });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ sub: 'bob', token_type: 'Bearer', account: { owner: 'bob' } });
    expect((await call('/sensitive')).status).toBe(401);
  });

  it("lists the token owner's orders from /orders, and only with a valid token", async () => {
    const res = await call('/orders', { headers: bearer(await sign()) });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { owner: string; orders: { id: string }[] };
    expect(body.owner).toBe('alice');
    expect(body.orders.map((order) => order.id)).toEqual(['alice-1001', 'alice-1002']);
    expect((await call('/orders')).status).toBe(401);
  });

  it('answers /reports/summary to a token of the reports audience, echoing which token it got', async () => {
    const res = await call('/reports/summary', { headers: bearer(await sign({ aud: REPORTS })) });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      sub: 'alice',
      aud: REPORTS,
      client_id: 'bff',
      token_type: 'Bearer',
      report: { owner: 'alice', orders: 2, total: 103.5, currency: 'EUR' },
    });
  });

  it('keeps the audiences apart: a main-audience token cannot read reports, a reports token not /me', async () => {
    const reports = await call('/reports/summary', { headers: bearer(await sign()) });
    expect(reports.status).toBe(401);
    expect(((await reports.json()) as { message: string }).message).toMatch(/"aud"/);
    expect((await call('/me', { headers: bearer(await sign({ aud: REPORTS })) })).status).toBe(401);
    expect((await call('/public/catalog', { headers: bearer(await sign({ aud: REPORTS })) })).status).toBe(401);
    expect((await call('/reports/summary')).status).toBe(401);
  });

  it('takes the reports audience from the reportsAudience option', async () => {
    const custom = await createDemoApi({
      issuer: idp.issuer,
      audience: AUDIENCE,
      reportsAudience: 'http://reports.test',
      publisher: new RecordingPublisher(),
    });
    try {
      const get = async (aud: string) =>
        (await fetch(`${custom.url}/reports/summary`, { headers: bearer(await sign({ aud })) })).status;
      expect(await get('http://reports.test')).toBe(200);
      expect(await get(REPORTS)).toBe(401);
    } finally {
      await custom.close();
    }
  });

  it('lists /public/catalog for the BFF’s own client-credentials token (sub is the client, no user)', async () => {
    const token = await sign({ sub: 'bff-demo', clientId: 'bff-demo' });
    const res = await call('/public/catalog', { headers: bearer(token) });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { client_id: string; aud: string; sub: string; items: { id: string }[] };
    expect(body).toMatchObject({ client_id: 'bff-demo', aud: AUDIENCE, sub: 'bff-demo' });
    expect(body.items.map((item) => item.id)).toEqual(['coffee-beans', 'grinder']);
    expect((await call('/public/catalog')).status).toBe(401);
  });

  it('fetches discovery and the JWKS once, on first use, and reuses them', async () => {
    const fetched = (prefix: string) => idp.requests.filter((r) => r.url?.startsWith(prefix));
    const discoveries = fetched('/.well-known/').length;
    const jwksFetches = fetched('/jwks').length;
    for (let i = 0; i < 3; i++) {
      expect((await call('/me', { headers: bearer(await sign()) })).status).toBe(200);
    }
    expect(fetched('/.well-known/')).toHaveLength(discoveries + 1);
    expect(fetched('/jwks')).toHaveLength(jwksFetches + 1);
  });

  it('rejects a request without Authorization with 401 and WWW-Authenticate', async () => {
    const res = await call('/me');
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    expect(await res.json()).toEqual({ error: 'invalid_token', message: expect.any(String) });
  });

  it.each([
    ['a wrong audience', { aud: 'http://other-api' }, /"aud"/],
    ['a wrong issuer', { iss: 'http://other-issuer' }, /"iss"/],
    [
      'an expired token',
      { iat: Math.floor(Date.now() / 1000) - 120, exp: Math.floor(Date.now() / 1000) - 60 },
      /expired/,
    ],
    ['a token that is not an access token (typ)', { typ: 'JWT' }, /"typ"/],
  ])('rejects %s with 401', async (_name, options: TokenOptions, message: RegExp) => {
    const res = await call('/me', { headers: bearer(await sign(options)) });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    const body = (await res.json()) as { error: string; message: string };
    expect(body.error).toBe('invalid_token');
    expect(body.message).toMatch(message);
  });

  it('rejects a token signed by a key the issuer does not publish', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    const res = await call('/me', { headers: bearer(await sign({ key: privateKey })) });
    expect(res.status).toBe(401);
  });

  it('rejects malformed and non-bearer credentials', async () => {
    for (const authorization of ['Bearer not-a-jwt', 'Basic YWxpY2U6YWxpY2U=', 'Bearer ']) {
      const res = await call('/me', { headers: { authorization } });
      expect(res.status).toBe(401);
    }
  });

  it('answers 503 when the issuer cannot be reached', async () => {
    const gone = await startServer(() => ({ status: 200 }));
    await stopServer(gone.server);
    const offline = await createDemoApi({
      issuer: gone.url,
      audience: AUDIENCE,
      publisher,
      idpTimeoutMs: 1000,
    });
    try {
      const res = await fetch(`${offline.url}/me`, { headers: bearer(await sign()) });
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({ error: 'idp_unavailable', message: expect.any(String) });
    } finally {
      await offline.close();
    }
  });

  it('answers 503 while discovery fails and recovers without a restart', async () => {
    idp.available = false;
    try {
      expect((await call('/me', { headers: bearer(await sign()) })).status).toBe(503);
    } finally {
      idp.available = true;
    }
    expect((await call('/me', { headers: bearer(await sign()) })).status).toBe(200);
  });

  it('publishes a notification frame to the caller’s user channel', async () => {
    const res = await notify({ message: 'hello' });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ published: true, channel: 'bff:ws:user:alice' });
    expect(publisher.published).toEqual([
      {
        channel: 'bff:ws:user:alice',
        frame: { type: 'notification', data: { message: 'hello' } },
      },
    ]);
  });

  it.each([
    ['no message', {}],
    ['an empty message', { message: '' }],
    ['a message over 500 characters', { message: 'x'.repeat(501) }],
    ['a non-string message', { message: 42 }],
    ['a non-object body', ['hello']],
  ])('answers 400 to /notify with %s and publishes nothing', async (_name, body) => {
    const res = await notify(body);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'invalid_request', message: expect.any(String) });
    expect(publisher.published).toHaveLength(0);
  });

  it('accepts a message of exactly 500 characters', async () => {
    expect((await notify({ message: 'x'.repeat(500) })).status).toBe(202);
  });

  it('answers 400 to /notify with invalid JSON', async () => {
    const res = await call('/notify', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(await sign()) },
      body: '{"message":',
    });
    expect(res.status).toBe(400);
    expect((await res.json()) as object).toHaveProperty('error', 'invalid_request');
  });

  it('checks the token on /notify before the body', async () => {
    const res = await notify({ message: 'hello' }, await sign({ aud: 'http://other-api' }));
    expect(res.status).toBe(401);
    expect((await call('/notify', { method: 'POST' })).status).toBe(401);
    expect(publisher.published).toHaveLength(0);
  });

  it('answers 502 when the publisher fails', async () => {
    publisher.failWith = new Error('redis down');
    const res = await notify({ message: 'hello' });
    expect(res.status).toBe(502);
    expect(await res.json()).toEqual({ error: 'publish_failed', message: expect.any(String) });
  });

  it('answers unknown routes with 404 JSON', async () => {
    const res = await call('/nope');
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: 'not_found', message: expect.any(String) });
  });
});

describe('bffInternalPublisher', () => {
  it('POSTs the channel and frame to /internal/publish with the bearer token', async () => {
    const bff = await startServer(() => ({ status: 202, json: { delivered: true } }));
    try {
      const publisher = bffInternalPublisher(`${bff.url}/`, 's3cret');
      const frame = { type: 'notification', data: { message: 'hi' } };
      await publisher.publish('bff:ws:user:alice', frame);
      expect(bff.requests).toHaveLength(1);
      const [req] = bff.requests;
      expect(req?.method).toBe('POST');
      expect(req?.url).toBe('/internal/publish');
      expect(req?.headers.authorization).toBe('Bearer s3cret');
      expect(req?.headers['content-type']).toBe('application/json');
      expect(JSON.parse(req?.body ?? '')).toEqual({ channel: 'bff:ws:user:alice', message: frame });
    } finally {
      await stopServer(bff.server);
    }
  });

  it('rejects when the BFF does not answer 202', async () => {
    const bff = await startServer(() => ({ status: 401, json: { error: 'unauthorized' } }));
    try {
      const publisher = bffInternalPublisher(bff.url, 'wrong');
      await expect(publisher.publish('bff:ws:user:alice', { type: 't', data: null })).rejects.toThrow(/401/);
    } finally {
      await stopServer(bff.server);
    }
  });
});
