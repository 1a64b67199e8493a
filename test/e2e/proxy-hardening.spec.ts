import { Readable } from 'node:stream';
import { BrowserClient } from '../support/browser-client';
import { startStack, type Stack } from '../support/bff-stack';
import { EchoUpstream, type SeenRequest } from '../support/echo-upstream';
import {
  expectContractError,
  parseRawResponse,
  rawRequest,
  trickleUpload,
  type RawResponse,
} from '../support/raw-http';
import { waitFor } from '../support/wait-for';

const BODY_LIMIT = 64 * 1024;
const BODY_TIMEOUT_MS = 500;

/** A chunked body of `size` bytes, streamed the way a browser's fetch sends one. */
function chunkedBody(size: number): ReadableStream {
  const chunk = Buffer.alloc(16 * 1024, 1);
  let sent = 0;
  return Readable.toWeb(
    new Readable({
      read() {
        sent += chunk.length;
        this.push(sent > size ? null : chunk);
      },
    }),
  ) as ReadableStream;
}

describe('the /api proxy against a hostile browser', () => {
  let upstream: EchoUpstream;
  let stack: Stack;
  let browser: BrowserClient;
  let port: number;

  beforeAll(async () => {
    upstream = await EchoUpstream.start();
    stack = await startStack({
      env: {
        BFF_PROXY_BODY_LIMIT: String(BODY_LIMIT),
        BFF_REQUEST_BODY_TIMEOUT_MS: String(BODY_TIMEOUT_MS),
        BFF_ROUTES: JSON.stringify([
          { name: 'echo', upstream: upstream.url, token: 'user' },
          { name: 'based', upstream: `${upstream.url}/v1/`, token: 'user' },
          { name: 'public', upstream: upstream.url, token: 'none' },
        ]),
      },
    });
    port = Number(new URL(stack.url).port);
    browser = new BrowserClient();
    await browser.login(stack.url);
  });
  afterAll(async () => {
    await stack.close();
    await upstream.close();
  });

  const lastSeen = (): SeenRequest => upstream.seen[upstream.seen.length - 1]!;
  /** A raw request with the browser's cookie and the anti-forgery header. */
  const raw = (method: string, path: string, extra = '', body = ''): Promise<RawResponse> =>
    rawRequest(
      port,
      `${method} ${path} HTTP/1.1\r\nHost: localhost\r\nCookie: ${browser.cookieHeader()}\r\nX-CSRF: 1\r\n${extra}\r\n${body}`,
    );

  describe('bodies', () => {
    it.each(['POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'])(
      'limits a chunked %s body like any other (413 JSON)',
      async (method) => {
        const response = await browser.api(`${stack.url}/api/echo/upload`, {
          method,
          body: chunkedBody(4 * BODY_LIMIT),
          duplex: 'half',
        });
        expect(response.status).toBe(413);
        expect(await response.json()).toMatchObject({ error: 'body_too_large' });
      },
    );

    it.each(['POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'])('forwards a %s body under the limit', async (method) => {
      const response = await raw(method, '/api/echo/small', 'Content-Length: 5\r\nConnection: close\r\n', 'hello');
      expect(response.status).toBe(200);
      expect((JSON.parse(response.body) as SeenRequest).bodyBytes).toBe(5);
    });

    it.each([
      ['GET', 'Content-Length: 5\r\n', 'hello'],
      ['GET', 'Transfer-Encoding: chunked\r\n', '5\r\nhello\r\n0\r\n\r\n'],
      ['HEAD', 'Content-Length: 5\r\n', 'hello'],
    ])('refuses a %s with a body (%s) instead of forwarding it (400 JSON)', async (method, framing, body) => {
      const before = upstream.seen.length;
      const response = await raw(method, '/api/echo/x', `${framing}Connection: close\r\n`, body);
      expect(response.status).toBe(400);
      if (method !== 'HEAD') expectContractError(response, 400, 'body_not_allowed');
      expect(upstream.seen.length).toBe(before);
    });
  });

  describe('methods', () => {
    it('never forwards TRACE on a route without a methods list (405 with Allow)', async () => {
      const before = upstream.seen.length;
      const response = await raw('TRACE', '/api/echo/x', 'Connection: close\r\n');
      expectContractError(response, 405, 'method_not_allowed');
      expect(response.headers.allow).toEqual(['GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS']);
      expect(upstream.seen.length).toBe(before);
    });

    it.each(['PROPFIND', 'SEARCH', 'MKCOL', 'PURGE', 'LOCK', 'COPY', 'MOVE', 'REPORT'])(
      'never forwards %s, a method outside the ordinary API ones',
      async (method) => {
        const before = upstream.seen.length;
        const response = await raw(method, '/api/echo/x', 'Connection: close\r\n');
        expect([404, 405]).toContain(response.status);
        expect(response.headers['x-content-type-options']).toEqual(['nosniff']);
        expect(JSON.parse(response.body)).toEqual({ error: expect.any(String), message: expect.any(String) });
        expect(upstream.seen.length).toBe(before);
      },
    );

    it('answers TRACK, which no parser here knows, with a contract 400', async () => {
      expectContractError(await raw('TRACK', '/api/echo/x', 'Connection: close\r\n'), 400, 'bad_request');
    });

    it('answers CONNECT with a contract 405 instead of dropping the connection', async () => {
      const response = await rawRequest(port, `CONNECT ${new URL(upstream.url).host} HTTP/1.1\r\nHost: x\r\n\r\n`);
      expectContractError(response, 405, 'method_not_allowed');
    });
  });

  describe('cross-site requests that carry X-CSRF', () => {
    it.each([
      ['Sec-Fetch-Site: cross-site'],
      ['Sec-Fetch-Site: same-site'],
      ['Sec-Fetch-Site: CROSS-SITE'],
      ['Origin: https://evil.example'],
      ['Origin: null'],
      ['Sec-Fetch-Site: same-origin\r\nOrigin: http://localhost:1'],
    ])('refuses a state-changing call with %s (403 JSON), before the upstream', async (extra) => {
      const before = upstream.seen.length;
      for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
        const response = await raw(
          method,
          '/api/echo/x',
          `${extra}\r\nContent-Length: 2\r\nConnection: close\r\n`,
          '{}',
        );
        expectContractError(response, 403, 'cross_site_request');
      }
      expect(upstream.seen.length).toBe(before);
    });

    it("accepts the BFF's own origin and same-origin fetch metadata", async () => {
      const response = await raw(
        'POST',
        '/api/echo/x',
        `Origin: ${stack.url}\r\nSec-Fetch-Site: same-origin\r\nContent-Length: 2\r\nConnection: close\r\n`,
        '{}',
      );
      expect(response.status).toBe(200);
    });
  });

  describe('headers that steer the upstream', () => {
    const STEERING = [
      'X-Forwarded-Host',
      'X-Forwarded-For',
      'X-Forwarded-Proto',
      'X-Forwarded-Uri',
      'X-Forwarded-Prefix',
      'X-Forwarded-Port',
      'X-Forwarded-Server',
      'X-Real-IP',
      'X-Original-URL',
      'X-Rewrite-URL',
      'X-HTTP-Method-Override',
      'X-HTTP-Method',
      'X-Method-Override',
      'Forwarded',
      'True-Client-IP',
    ];

    it.each(STEERING.flatMap((name) => [name, name.replace(/-/g, '_'), name.toUpperCase()]))(
      "never forwards the browser's %s",
      async (name) => {
        const response = await raw('GET', '/api/echo/steer', `${name}: attacker.example\r\nConnection: close\r\n`);
        expect(response.status).toBe(200);
        const seen = JSON.parse(response.body) as SeenRequest;
        for (const [header, value] of Object.entries(seen.headers)) {
          expect(`${header}: ${String(value)}`).not.toContain('attacker');
        }
        expect(seen.method).toBe('GET');
        expect(seen.url).toBe('/steer');
      },
    );

    it("sends the BFF's request id upstream, never the browser's", async () => {
      const response = await browser.api(`${stack.url}/api/echo/id`, { headers: { 'x-request-id': 'forged-id' } });
      expect(response.status).toBe(200);
      const id = response.headers.get('x-request-id');
      expect(id).not.toBe('forged-id');
      expect(lastSeen().headers['x-request-id']).toBe(id);
    });
  });

  describe('path parameters', () => {
    it.each([
      '/api/echo/..;/admin',
      '/api/echo/.;/admin',
      '/api/echo/..;jsessionid=1/admin',
      '/api/echo/..%3B/admin',
      '/api/echo/%2e%2e;/admin',
      '/api/echo/%2E%2E%3b/admin',
      '/api/echo/%252e%252e%253b/admin',
      '/api/based/x/..;/..;/internal',
    ])('refuses %s with 400 before contacting the upstream', async (path) => {
      const before = upstream.seen.length;
      expectContractError(await raw('GET', path, 'Connection: close\r\n'), 400, 'invalid_path');
      expect(upstream.seen.length).toBe(before);
    });

    it('still forwards ordinary matrix parameters', async () => {
      expect((await raw('GET', '/api/echo/items;v=2/x', 'Connection: close\r\n')).status).toBe(200);
      expect(lastSeen().url).toBe('/items;v=2/x');
    });
  });

  describe('upstream redirects', () => {
    const redirect = (route: string, to: string): Promise<Response> =>
      browser.api(`${stack.url}/api/${route}/redirect?to=${encodeURIComponent(to)}`);

    it("maps a Location inside the route's base to the browser's /api path", async () => {
      const response = await redirect('based', `${upstream.url}/v1/orders/7?x=1`);
      expect(response.status).toBe(302);
      expect(response.headers.get('location')).toBe('/api/based/orders/7?x=1');
      expect(response.headers.get('content-location')).toBe('/api/based/orders/7?x=1');
    });

    it.each(['/internal/admin', '/v10/x', '/v1/../internal'])(
      "drops a Location on the upstream's origin outside the base (%s)",
      async (path) => {
        for (const to of [`${upstream.url}${path}`, path]) {
          const response = await redirect('based', to);
          expect(response.status).toBe(302);
          expect(response.headers.get('location')).toBeNull();
          expect(response.headers.get('content-location')).toBeNull();
        }
      },
    );

    it('passes a Location on another origin unchanged', async () => {
      const response = await redirect('echo', 'https://idp.example/authorize?client_id=x');
      expect(response.headers.get('location')).toBe('https://idp.example/authorize?client_id=x');
    });
  });

  describe('proxied content', () => {
    it('serves an upstream HTML page with a CSP that runs no script and sandboxes it', async () => {
      const response = await browser.api(`${stack.url}/api/public/html?q=<script>alert(1)</script>`);
      expect(response.headers.get('content-type')).toMatch(/^text\/html/);
      const csp = response.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'none'");
      expect(csp).toMatch(/\bsandbox\b/);
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    });

    it('puts the same CSP on every proxied answer, JSON and errors alike', async () => {
      for (const path of ['/api/echo/x', '/api/echo/status/500']) {
        const csp = (await browser.api(`${stack.url}${path}`)).headers.get('content-security-policy') ?? '';
        expect(csp).toMatch(/\bsandbox\b/);
      }
    });
  });

  describe('slow request bodies', () => {
    const head = (path: string, extra = ''): string =>
      `POST ${path} HTTP/1.1\r\nHost: localhost\r\nCookie: ${browser.cookieHeader()}\r\nX-CSRF: 1\r\n` +
      `Content-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n${extra}\r\n`;

    it('answers a body that does not arrive in time with 408 JSON, closes the connection and stops the upstream call', async () => {
      const receivingBefore = upstream.receiving;
      const { answer } = await trickleUpload(port, head('/api/echo/upload'), 100);
      await waitFor(() => upstream.receiving > receivingBefore);
      const response = parseRawResponse(await answer);
      expectContractError(response, 408, 'request_timeout');
      expect(response.headers.connection).toEqual(['close']);
      await waitFor(() => upstream.receiving === receivingBefore);
    });

    it('bounds the back-channel logout endpoint the same way', async () => {
      const { answer } = await trickleUpload(
        port,
        'POST /auth/backchannel-logout HTTP/1.1\r\nHost: localhost\r\n' +
          'Content-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n',
        100,
      );
      expectContractError(parseRawResponse(await answer), 408, 'request_timeout');
    });

    it('bounds a body declared with Content-Length that stops short', async () => {
      const { answer } = await trickleUpload(
        port,
        head('/api/echo/upload').replace('Transfer-Encoding: chunked', 'Content-Length: 1000'),
        100,
      );
      expectContractError(parseRawResponse(await answer), 408, 'request_timeout');
    });
  });
});

describe('slow uploads against the other users of a route', () => {
  const SLOW_UPLOADS = 140;
  let upstream: EchoUpstream;
  let stack: Stack;

  beforeAll(async () => {
    upstream = await EchoUpstream.start();
    stack = await startStack({
      env: {
        // Long enough that every slow upload is still open when the victims call.
        BFF_REQUEST_BODY_TIMEOUT_MS: '60000',
        BFF_ROUTES: JSON.stringify([{ name: 'echo', upstream: upstream.url, token: 'none', timeoutMs: 5000 }]),
      },
    });
  });
  afterAll(async () => {
    await stack.close();
    await upstream.close();
  });

  it('keeps serving reads and uploads on the route while more slow uploads than a pool holds are open', async () => {
    const port = Number(new URL(stack.url).port);
    const head =
      'POST /api/echo/upload HTTP/1.1\r\nHost: localhost\r\nX-CSRF: 1\r\n' +
      'Content-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n\r\n';
    const slow = await Promise.all(Array.from({ length: SLOW_UPLOADS }, () => trickleUpload(port, head, 1000)));
    try {
      // Every slow upload holds an upstream connection now: a capped shared pool would be full.
      await waitFor(() => upstream.receiving >= SLOW_UPLOADS);
      const client = new BrowserClient();
      const read = await client.api(`${stack.url}/api/echo/victim-read`);
      expect(read.status).toBe(200);
      const write = await client.api(`${stack.url}/api/echo/victim-write`, { method: 'POST', body: 'ok' });
      expect(write.status).toBe(200);
      expect(((await write.json()) as SeenRequest).bodyBytes).toBe(2);
    } finally {
      for (const { socket } of slow) socket.destroy();
    }
    await waitFor(() => upstream.receiving === 0);
  });
});
