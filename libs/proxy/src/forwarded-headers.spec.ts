import type { IncomingHttpHeaders } from 'node:http';
import {
  browserResponseHeaders,
  PROXIED_CONTENT_SECURITY_POLICY,
  upstreamRequestHeaders,
  type LocationRewriter,
} from './forwarded-headers';

const CONTEXT = {
  clientIp: '10.0.0.9',
  publicProto: 'https',
  publicHost: 'app.example',
  requestId: 'bff-request-1',
  accessToken: 'AT',
};
const KEEP_LOCATION: LocationRewriter = (value) => value;

/** Headers that steer an upstream framework (routing, method, scheme, client address), as a browser might send them. */
const STEERING = [
  'forwarded',
  'via',
  'x-forwarded-host',
  'x-forwarded-uri',
  'x-forwarded-prefix',
  'x-forwarded-port',
  'x-forwarded-server',
  'x-forwarded-scheme',
  'x-forwarded-ssl',
  'x-forwarded-path',
  'x-real-ip',
  'x-client-ip',
  'true-client-ip',
  'cf-connecting-ip',
  'x-cluster-client-ip',
  'x-original-url',
  'x-original-uri',
  'x-rewrite-url',
  'x-original-host',
  'x-host',
  'x-http-method-override',
  'x-http-method',
  'x-method-override',
  'x-original-method',
  'x-request-id',
];

describe('upstreamRequestHeaders', () => {
  it('sends a DPoP-bound token with the DPoP scheme and its proof, in place of any proof the browser sent', () => {
    const headers = upstreamRequestHeaders({ dpop: 'browser-proof', accept: '*/*' }, { ...CONTEXT, dpopProof: 'P' });
    expect(headers.authorization).toBe('DPoP AT');
    expect(headers.dpop).toBe('P');
  });

  it('sends an unbound token as Bearer and drops a DPoP header the browser sent', () => {
    const headers = upstreamRequestHeaders({ dpop: 'browser-proof' }, CONTEXT);
    expect(headers.authorization).toBe('Bearer AT');
    expect(headers.dpop).toBeUndefined();
  });

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

  it.each(STEERING.flatMap((name) => [name, name.replace(/-/g, '_')]))("never forwards the browser's %s", (name) => {
    const headers = upstreamRequestHeaders({ [name]: 'attacker', accept: '*/*' }, CONTEXT);
    expect(headers[name] === undefined || headers[name] !== 'attacker').toBe(true);
    expect(headers.accept).toBe('*/*');
  });

  it('drops every header whose name has an underscore, as CGI-style servers read it as a dash', () => {
    const headers = upstreamRequestHeaders(
      { x_custom: '1', 'x-custom': '2', authorization_: 'Bearer forged' },
      CONTEXT,
    );
    expect(headers).not.toHaveProperty('x_custom');
    expect(headers).not.toHaveProperty('authorization_');
    expect(headers['x-custom']).toBe('2');
  });

  it("sends the BFF's own request id, never the browser's", () => {
    expect(upstreamRequestHeaders({ 'x-request-id': 'forged' }, CONTEXT)['x-request-id']).toBe('bff-request-1');
  });

  it("replaces the browser's traceparent and tracestate with the call's own when tracing", () => {
    const browser = { traceparent: `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01`, tracestate: 'vendor=browser' };
    const traced = upstreamRequestHeaders(browser, {
      ...CONTEXT,
      trace: { traceparent: `00-${'c'.repeat(32)}-${'d'.repeat(16)}-01` },
    });
    expect(traced.traceparent).toBe(`00-${'c'.repeat(32)}-${'d'.repeat(16)}-01`);
    expect(traced.tracestate).toBeUndefined();
    const withState = upstreamRequestHeaders(browser, {
      ...CONTEXT,
      trace: { traceparent: `00-${'c'.repeat(32)}-${'d'.repeat(16)}-01`, tracestate: 'vendor=bff' },
    });
    expect(withState.tracestate).toBe('vendor=bff');
  });

  it("passes the browser's traceparent and tracestate on unchanged when not tracing", () => {
    const browser = { traceparent: `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01`, tracestate: 'vendor=browser' };
    expect(upstreamRequestHeaders(browser, CONTEXT)).toMatchObject(browser);
  });

  it('sends no Authorization at all without a token', () => {
    expect(
      upstreamRequestHeaders({ authorization: 'Bearer forged' }, { ...CONTEXT, accessToken: undefined }).authorization,
    ).toBeUndefined();
  });
});

describe('browserResponseHeaders', () => {
  it('drops upstream cookies and hop-by-hop headers, keeps the rest', () => {
    const headers = browserResponseHeaders(
      {
        'set-cookie': ['a=1'],
        connection: 'keep-alive, x-internal',
        'x-internal': '1',
        'transfer-encoding': 'chunked',
        'content-type': 'application/json',
        'cache-control': 'no-cache',
      },
      KEEP_LOCATION,
    );
    expect(headers).toEqual({
      'content-type': 'application/json',
      'cache-control': 'no-cache',
      'content-security-policy': PROXIED_CONTENT_SECURITY_POLICY,
    });
  });

  it("adds the proxied CSP beside the upstream's own, which the browser then enforces too", () => {
    const headers = browserResponseHeaders({ 'content-security-policy': "script-src 'self'" }, KEEP_LOCATION);
    expect(headers['content-security-policy']).toEqual(["script-src 'self'", PROXIED_CONTENT_SECURITY_POLICY]);
    expect(PROXIED_CONTENT_SECURITY_POLICY).toMatch(/default-src 'none'/);
    expect(PROXIED_CONTENT_SECURITY_POLICY).toMatch(/\bsandbox\b/);
  });

  it('rewrites Location and Content-Location through the route, and drops what the route refuses', () => {
    const rewrite: LocationRewriter = (value) => (value.startsWith('/v1/') ? `/api/x/${value.slice(4)}` : undefined);
    expect(browserResponseHeaders({ location: '/v1/a', 'content-location': '/internal' }, rewrite)).toMatchObject({
      location: '/api/x/a',
    });
    expect(browserResponseHeaders({ 'content-location': '/internal' }, rewrite)).not.toHaveProperty('content-location');
    // undici hands duplicate headers over as an array; two Locations are ambiguous.
    const twice = { location: ['/v1/a', '/v1/b'] } as unknown as IncomingHttpHeaders;
    expect(browserResponseHeaders(twice, rewrite)).not.toHaveProperty('location');
  });
});
