import { request as httpRequest } from 'node:http';
import { Readable } from 'node:stream';
import { bearerClaimsOf } from '../support/bearer';
import { BrowserClient } from '../support/browser-client';
import { startStack, type Stack } from '../support/bff-stack';
import { EchoUpstream, patternBytes, type SeenRequest } from '../support/echo-upstream';
import { freePort } from '../support/free-port';
import { waitFor } from '../support/wait-for';

const BODY_LIMIT = 60 * 1024 * 1024;

describe('the /api reverse proxy', () => {
  let upstream: EchoUpstream;
  let stack: Stack;
  let browser: BrowserClient;

  beforeAll(async () => {
    upstream = await EchoUpstream.start();
    const closedPort = await freePort();
    stack = await startStack({
      env: {
        BFF_PROXY_BODY_LIMIT: String(BODY_LIMIT),
        BFF_ROUTES: JSON.stringify([
          { name: 'echo', upstream: upstream.url, token: 'user' },
          { name: 'optional', upstream: upstream.url, token: 'optional-user' },
          { name: 'public', upstream: upstream.url, token: 'none' },
          { name: 'based', upstream: `${upstream.url}/v1/`, token: 'user' },
          { name: 'slow', upstream: upstream.url, token: 'user', timeoutMs: 300 },
          { name: 'readonly', upstream: upstream.url, token: 'user', methods: ['GET'] },
          { name: 'down', upstream: `http://127.0.0.1:${String(closedPort)}`, token: 'user' },
        ]),
      },
    });
    browser = new BrowserClient();
    await browser.login(stack.url);
  });
  afterAll(async () => {
    await stack.close();
    await upstream.close();
  });

  const lastSeen = (): SeenRequest => upstream.seen[upstream.seen.length - 1]!;

  it('forwards path and query unchanged with the access token injected and browser credentials stripped', async () => {
    const response = await browser.api(`${stack.url}/api/echo/items/a%20b?x=1&y=%2F&z`, {
      headers: {
        authorization: 'Bearer forged-by-the-page',
        'proxy-authorization': 'Basic eA==',
        accept: 'application/json',
      },
    });
    expect(response.status).toBe(200);
    const seen = lastSeen();
    expect(seen.url).toBe('/items/a%20b?x=1&y=%2F&z');
    expect(seen.headers.cookie).toBeUndefined();
    expect(seen.headers['x-csrf']).toBeUndefined();
    expect(seen.headers['proxy-authorization']).toBeUndefined();
    expect(seen.headers.accept).toBe('application/json');
    expect(seen.headers.authorization).toMatch(/^Bearer eyJ/);
    expect(bearerClaimsOf(seen.headers.authorization)).toMatchObject({ sub: 'alice', aud: 'http://localhost:4001' });
    expect(seen.headers['x-forwarded-proto']).toBe('http');
    expect(seen.headers['x-forwarded-host']).toBe(new URL(stack.url).host);
    expect(seen.headers['x-forwarded-for']).toMatch(/127\.0\.0\.1|::1/);
  });

  it("appends the rest of the path to the route's base path", async () => {
    expect((await browser.api(`${stack.url}/api/based/orders/7`)).status).toBe(200);
    expect(lastSeen().url).toBe('/v1/orders/7');
  });

  it('answers 404 JSON for an unknown route before any other check', async () => {
    const response = await fetch(`${stack.url}/api/nope/x`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: 'unknown_route', message: expect.any(String) });
  });

  it('answers 403 JSON without the X-CSRF header', async () => {
    const before = upstream.seen.length;
    const response = await browser.fetch(`${stack.url}/api/echo/x`);
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ error: 'csrf_header_missing' });
    expect(upstream.seen.length).toBe(before);
  });

  it('answers 401 JSON (never a redirect) on a user route without a session', async () => {
    const response = await new BrowserClient().api(`${stack.url}/api/echo/x`);
    expect(response.status).toBe(401);
    expect(response.headers.get('location')).toBeNull();
    expect(await response.json()).toMatchObject({ error: 'session_required' });
  });

  it('sends the token on optional-user routes only with a session, and never on none routes', async () => {
    await new BrowserClient().api(`${stack.url}/api/optional/x`, { headers: { authorization: 'Bearer forged' } });
    expect(lastSeen().headers.authorization).toBeUndefined();
    await browser.api(`${stack.url}/api/optional/x`);
    expect(lastSeen().headers.authorization).toMatch(/^Bearer eyJ/);
    await browser.api(`${stack.url}/api/public/x`);
    expect(lastSeen().headers.authorization).toBeUndefined();
    expect(lastSeen().headers.cookie).toBeUndefined();
  });

  it.each([
    '/api/echo/../admin',
    '/api/echo/%2e%2e/admin',
    '/api/echo/.%2E/admin',
    '/api/echo/%252e%252e/admin',
    '/api/echo/a%2fb',
    '/api/echo/a%5cb',
    '/api/echo/a%00b',
    '/api/echo/%zz',
  ])('refuses %s with 400 before contacting the upstream', async (path) => {
    const before = upstream.seen.length;
    // fetch would normalise `..`; send the path exactly as written.
    const { request } = await import('node:http');
    const url = new URL(stack.url);
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port: url.port, path, headers: { 'x-csrf': '1', cookie: browser.jar.header() } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(400);
    expect(upstream.seen.length).toBe(before);
  });

  it('never passes an upstream Set-Cookie to the browser', async () => {
    const response = await browser.api(`${stack.url}/api/echo/set-cookie`);
    expect(response.status).toBe(200);
    expect(response.headers.getSetCookie()).toEqual([]);
  });

  it('passes upstream errors through unchanged', async () => {
    const notFound = await browser.api(`${stack.url}/api/echo/status/404`);
    expect(notFound.status).toBe(404);
    expect(await notFound.json()).toEqual({ upstream: 'error body' });
    const unavailable = await browser.api(`${stack.url}/api/echo/status/503`);
    expect(unavailable.status).toBe(503);
    expect(await unavailable.json()).toEqual({ upstream: 'error body' });
  });

  it('answers 504 JSON when the upstream is slower than the route timeout', async () => {
    const response = await browser.api(`${stack.url}/api/slow/slow/3000`);
    expect(response.status).toBe(504);
    expect(await response.json()).toMatchObject({ error: 'upstream_timeout' });
  });

  it('answers 502 JSON when the upstream refuses connections', async () => {
    const response = await browser.api(`${stack.url}/api/down/x`);
    expect(response.status).toBe(502);
    expect(await response.json()).toMatchObject({ error: 'upstream_unavailable' });
  });

  it('answers 405 for a method the route does not allow', async () => {
    const response = await browser.api(`${stack.url}/api/readonly/x`, { method: 'DELETE' });
    expect(response.status).toBe(405);
  });

  it('refuses a declared body over the limit with 413 without contacting the upstream', async () => {
    const before = upstream.seen.length;
    const { request } = await import('node:http');
    const url = new URL(stack.url);
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: url.port,
          method: 'POST',
          path: '/api/echo/upload',
          headers: { 'x-csrf': '1', cookie: browser.jar.header(), 'content-length': String(BODY_LIMIT + 1) },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.write(Buffer.alloc(1024));
    });
    expect(status).toBe(413);
    expect(upstream.seen.length).toBe(before);
  });

  it('refuses a chunked body that grows over the limit with 413', async () => {
    const chunk = Buffer.alloc(1024 * 1024, 1);
    let sent = 0;
    const body = new Readable({
      read() {
        sent += chunk.length;
        this.push(sent > BODY_LIMIT + 2 * chunk.length ? null : chunk);
      },
    });
    const response = await browser.api(`${stack.url}/api/echo/upload`, {
      method: 'POST',
      body: Readable.toWeb(body) as ReadableStream,
      duplex: 'half',
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ error: 'body_too_large' });
  });

  it('streams a 50 MB upload: the upstream receives bytes before the browser has finished sending', async () => {
    const chunk = Buffer.alloc(1024 * 1024, 7);
    const total = 50;
    let sent = 0;
    const startBytes = upstream.receivedBytes;
    let held = false;
    const body = new Readable({
      read() {
        if (sent === 1) {
          if (held) return;
          held = true;
          // Hold the rest back until the upstream has seen the first megabyte: only a streaming proxy gets here.
          const wait = setInterval(() => {
            if (upstream.receivedBytes > startBytes) {
              clearInterval(wait);
              sent++;
              this.push(chunk);
            }
          }, 5);
          return;
        }
        sent++;
        this.push(sent > total ? null : chunk);
      },
    });
    const response = await browser.api(`${stack.url}/api/echo/upload`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: Readable.toWeb(body) as ReadableStream,
      duplex: 'half',
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as SeenRequest).bodyBytes).toBe(total * chunk.length);
  });

  it('forwards a JSON body unparsed', async () => {
    const response = await browser.api(`${stack.url}/api/echo/json`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"a":1}',
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as SeenRequest).bodyBytes).toBe(7);
  });

  it('sends the upstream its own Host, never the one the browser used for the BFF', async () => {
    expect((await browser.api(`${stack.url}/api/echo/host`)).status).toBe(200);
    expect(lastSeen().headers.host).toBe(new URL(upstream.url).host);
  });

  it('streams a 20 MB download to the browser byte for byte', async () => {
    const size = 20 * 1024 * 1024;
    const response = await browser.api(`${stack.url}/api/echo/bytes/${String(size)}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-length')).toBe(String(size));
    const body = Buffer.from(await response.arrayBuffer());
    expect(body.length).toBe(size);
    expect(body.equals(patternBytes(0, size))).toBe(true);
  });

  it('stops the upstream response when the browser goes away mid-download', async () => {
    const before = upstream.abandonedResponses;
    const abort = new AbortController();
    const response = await browser.api(`${stack.url}/api/echo/bytes/${String(200 * 1024 * 1024)}`, {
      signal: abort.signal,
    });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    abort.abort();
    // The upstream's 200 MB would otherwise keep flowing into a closed socket until the timeout.
    await waitFor(() => upstream.abandonedResponses > before);
    expect(upstream.abandonedResponses).toBe(before + 1);
    // The route still works afterwards: the pool lost one connection, not its state.
    expect((await browser.api(`${stack.url}/api/echo/after-abort`)).status).toBe(200);
  });

  it('drops the browser connection when the upstream fails mid-body, so the truncation shows', async () => {
    const response = await browser.api(`${stack.url}/api/echo/break-after/1000`);
    expect(response.status).toBe(200);
    await expect(response.arrayBuffer()).rejects.toThrow();
  });

  it('answers Expect: 100-continue itself and streams the body on', async () => {
    const url = new URL(`${stack.url}/api/echo/continue`);
    const payload = Buffer.alloc(64 * 1024, 1);
    const result = await new Promise<{ status: number; body: SeenRequest }>((resolve, reject) => {
      const outgoing = httpRequest(url, {
        method: 'PUT',
        headers: {
          cookie: browser.cookieHeader(),
          'x-csrf': '1',
          expect: '100-continue',
          'content-length': String(payload.length),
        },
      });
      outgoing.on('continue', () => outgoing.end(payload));
      outgoing.on('response', (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('end', () => {
          resolve({
            status: incoming.statusCode ?? 0,
            body: JSON.parse(Buffer.concat(chunks).toString()) as SeenRequest,
          });
        });
      });
      outgoing.on('error', reject);
    });
    expect(result.status).toBe(200);
    expect(result.body.bodyBytes).toBe(payload.length);
    expect(result.body.headers.expect).toBeUndefined();
  });
});
