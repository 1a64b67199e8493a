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
    stack = await startStack({
      redis: false,
      env: {
        BFF_TRUST_PROXY: 'true',
        BFF_ROUTES: JSON.stringify([{ name: 'public', upstream: upstream.url, token: 'none' }]),
      },
    });
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
