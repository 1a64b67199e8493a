import dns from 'node:dns';
import { startStack, type Stack } from '../support/bff-stack';
import { EchoUpstream, type SeenRequest } from '../support/echo-upstream';
import { expectContractError, rawRequest, type RawResponse } from '../support/raw-http';

/** Every answer of the BFF, even one no route or hook produced, has the contract's shape and headers. */
function expectEdgeError(response: RawResponse, status: number, error: string): void {
  expectContractError(response, status, error);
  expect(response.headers['cache-control']).toEqual(['no-store']);
  // No request reached Fastify: the id is one the edge made up, a UUID.
  expect(response.headers['x-request-id']?.[0]).toMatch(/^[0-9a-f-]{36}$/);
}

describe('answers Node and Fastify give before any route runs', () => {
  let stack: Stack;
  let upstream: EchoUpstream;
  let port: number;

  beforeAll(async () => {
    upstream = await EchoUpstream.start();
    // `localhost` as most hosts files name it, both loopback addresses (this machine's names 127.0.0.1
    // only): Fastify then binds ::1 through a second server, which the IPv6 tests below reach.
    const lookup = dns.lookup.bind(dns);
    const bothLoopbacks = jest.spyOn(dns, 'lookup').mockImplementation(((
      hostname: string,
      options: dns.LookupOptions,
      callback: (error: NodeJS.ErrnoException | null, addresses: dns.LookupAddress[]) => void,
    ) => {
      if (hostname === 'localhost' && options.all === true) {
        callback(null, [
          { address: '127.0.0.1', family: 4 },
          { address: '::1', family: 6 },
        ]);
        return;
      }
      (lookup as (...args: unknown[]) => void)(hostname, options, callback);
    }) as typeof dns.lookup);
    stack = await startStack({
      redis: false,
      env: {
        BFF_TRUST_PROXY: 'true',
        BFF_ROUTES: JSON.stringify([{ name: 'public', upstream: upstream.url, token: 'none' }]),
      },
    });
    bothLoopbacks.mockRestore();
    port = Number(new URL(stack.url).port);
  });
  afterAll(async () => {
    await stack.close();
    await upstream.close();
  });

  it.each(['/auth/user%zz', '/auth/%E0%A4%A', '/api/public/%zz', '/%'])(
    'answers the malformed URL %s with a contract 400',
    async (path) => {
      const response = await rawRequest(port, `GET ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`);
      expect(response.status).toBe(400);
      expect(response.headers['x-content-type-options']).toEqual(['nosniff']);
      expect(response.headers['x-request-id']?.[0]).toMatch(/\S/);
      expect(JSON.parse(response.body)).toEqual({
        error: expect.stringMatching(/^invalid_/),
        message: expect.any(String),
      });
      expect(response.body).not.toContain('FST_');
    },
  );

  // Fastify serves `localhost` (BFF_HOST unset) on both loopback addresses, IPv6 through a
  // server of its own made at listen time: every answer there has the same edge as on IPv4.
  describe('on the IPv6 loopback listener', () => {
    const onIpv6 = (request: string): Promise<RawResponse> => rawRequest(port, request, 10_000, '::1');

    it('answers a malformed URL with a contract 400 and the baseline headers', async () => {
      const response = await onIpv6('GET /auth/user%zz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
      expectEdgeError(response, 400, 'invalid_url');
      expect(response.headers['x-content-type-options']).toEqual(['nosniff']);
    });

    it('puts the baseline headers on what Fastify answers', async () => {
      const response = await onIpv6('GET /nowhere HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
      expect(response.status).toBe(404);
      expect(response.headers['x-content-type-options']).toEqual(['nosniff']);
      expect(response.headers['referrer-policy']).toEqual(['no-referrer']);
    });

    it('refuses CONNECT with a contract 405', async () => {
      const response = await onIpv6(`CONNECT ${new URL(upstream.url).host} HTTP/1.1\r\nHost: x\r\n\r\n`);
      expectEdgeError(response, 405, 'method_not_allowed');
    });

    it('answers a request Node cannot parse in the contract shape', async () => {
      const response = await onIpv6('HELLO\r\n\r\n');
      expect(response.status).toBe(400);
      expect(JSON.parse(response.body)).toEqual({ error: expect.any(String), message: expect.any(String) });
    });
  });

  it('answers an unknown path without echoing its query', async () => {
    const response = await fetch(`${stack.url}/nowhere?code=secret-code&state=s1`);
    expect(response.status).toBe(404);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({ error: 'not_found', message: 'Cannot GET /nowhere' });
    expect(text).not.toContain('secret-code');
  });

  it.each([
    ['a request line that is not HTTP', 'HELLO\r\n\r\n'],
    ['a header line without a colon', 'GET / HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n'],
    [
      'both Content-Length and Transfer-Encoding',
      'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n',
    ],
    ['an invalid header value', 'GET / HTTP/1.1\r\nHost: x\r\nX-A: \x01\r\n\r\n'],
  ])("answers %s with Node's 400 in the contract's shape", async (_case, request) => {
    expectEdgeError(await rawRequest(port, request), 400, 'bad_request');
  });

  it('answers headers over the size limit with a contract 431', async () => {
    const response = await rawRequest(port, `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expectEdgeError(response, 431, 'headers_too_large');
  });

  it("keeps a trusted proxy's X-Request-Id, in the answer and upstream alike", async () => {
    const response = await rawRequest(
      port,
      'GET /api/public/id HTTP/1.1\r\nHost: localhost\r\nX-CSRF: 1\r\nX-Request-Id: edge-42.a\r\nConnection: close\r\n\r\n',
    );
    expect(response.status).toBe(200);
    expect(response.headers['x-request-id']).toEqual(['edge-42.a']);
    expect((JSON.parse(response.body) as SeenRequest).headers['x-request-id']).toBe('edge-42.a');
  });

  it('replaces a trusted proxy id that is not a plain token with its own', async () => {
    const response = await rawRequest(
      port,
      'GET /api/public/id HTTP/1.1\r\nHost: localhost\r\nX-CSRF: 1\r\nX-Request-Id: a b <script>\r\nConnection: close\r\n\r\n',
    );
    const own = response.headers['x-request-id']?.[0];
    expect(own).toMatch(/^[0-9a-f-]{36}$/);
    expect((JSON.parse(response.body) as SeenRequest).headers['x-request-id']).toBe(own);
  });
});
