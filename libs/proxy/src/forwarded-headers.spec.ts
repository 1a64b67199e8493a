import { browserResponseHeaders, upstreamRequestHeaders } from './forwarded-headers';

const CONTEXT = { clientIp: '10.0.0.9', publicProto: 'https', publicHost: 'app.example', accessToken: 'AT' };

describe('upstreamRequestHeaders', () => {
  it("strips the browser's credentials and injects the access token", () => {
    const headers = upstreamRequestHeaders(
      { cookie: '__Host-bff=v1.x.y', authorization: 'Bearer forged', 'x-csrf': '1', accept: 'application/json' },
      CONTEXT,
    );
    expect(headers.cookie).toBeUndefined();
    expect(headers['x-csrf']).toBeUndefined();
    expect(headers.authorization).toBe('Bearer AT');
    expect(headers.accept).toBe('application/json');
  });

  it('removes hop-by-hop headers before adding the token, so Connection cannot strip it', () => {
    const headers = upstreamRequestHeaders(
      {
        connection: 'close, authorization, x-keep',
        'x-keep': 'gone',
        'keep-alive': 'timeout=5',
        te: 'trailers',
        'proxy-authorization': 'Basic x',
      },
      CONTEXT,
    );
    expect(headers.authorization).toBe('Bearer AT');
    for (const name of ['connection', 'x-keep', 'keep-alive', 'te', 'proxy-authorization'])
      expect(headers[name]).toBeUndefined();
  });

  it('sets X-Forwarded-* from what the BFF knows, not from the client', () => {
    const headers = upstreamRequestHeaders(
      { 'x-forwarded-for': '6.6.6.6', 'x-forwarded-host': 'evil', forwarded: 'for=1' },
      CONTEXT,
    );
    expect(headers).toMatchObject({
      'x-forwarded-for': '10.0.0.9',
      'x-forwarded-proto': 'https',
      'x-forwarded-host': 'app.example',
    });
    expect(headers.forwarded).toBeUndefined();
    expect(upstreamRequestHeaders({}, { ...CONTEXT, priorForwardedFor: '1.2.3.4' })['x-forwarded-for']).toBe(
      '1.2.3.4, 10.0.0.9',
    );
  });

  it('sends no Authorization at all without a token', () => {
    expect(
      upstreamRequestHeaders({ authorization: 'Bearer forged' }, { ...CONTEXT, accessToken: undefined }).authorization,
    ).toBeUndefined();
  });
});

describe('browserResponseHeaders', () => {
  it('drops upstream cookies and hop-by-hop headers, keeps the rest', () => {
    const headers = browserResponseHeaders({
      'set-cookie': ['a=1'],
      connection: 'keep-alive, x-internal',
      'x-internal': '1',
      'transfer-encoding': 'chunked',
      'content-type': 'application/json',
      'cache-control': 'no-cache',
    });
    expect(headers).toEqual({ 'content-type': 'application/json', 'cache-control': 'no-cache' });
  });
});
