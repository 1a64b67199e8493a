import { request as httpRequest } from 'node:http';
import { BrowserClient } from '../support/browser-client';
import { startStack, type Stack } from '../support/bff-stack';
import { EchoUpstream } from '../support/echo-upstream';
import { rawRequest } from '../support/raw-http';
import { openSocket } from '../support/socket-client';
import { waitFor } from '../support/wait-for';

interface LogLine {
  level: number;
  msg?: string;
  reqId?: string;
  method?: string;
  route?: string;
  status?: number;
  durationMs?: number;
  aborted?: boolean;
  [field: string]: unknown;
}

const BODY_LIMIT = 1024;
const ACCESS_FIELDS = ['durationMs', 'level', 'method', 'msg', 'reqId', 'route', 'service', 'status', 'time'];

/** The BFF's own answer to an upgrade: read until it closes the connection. */
async function refusedUpgrade(url: string): Promise<number> {
  const { port, origin } = new URL(url);
  const response = await rawRequest(
    Number(port),
    `GET /ws?ticket=query-secret HTTP/1.1\r\nHost: localhost\r\nOrigin: ${origin}\r\nConnection: Upgrade\r\n` +
      'Upgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
  );
  return response.status;
}

describe('the access log', () => {
  const lines: string[] = [];
  let stack: Stack;
  let upstream: EchoUpstream;
  let port: number;
  const access = (): LogLine[] =>
    lines.map((line) => JSON.parse(line) as LogLine).filter((entry) => entry.msg === 'request completed');
  const linesOf = (reqId: string | null): LogLine[] => access().filter((entry) => entry.reqId === reqId);
  /** The one access line of the request with this id, once it is written. */
  const lineOf = async (reqId: string | null): Promise<LogLine> => {
    expect(reqId).toEqual(expect.any(String));
    await waitFor(() => linesOf(reqId).length > 0);
    return linesOf(reqId)[0]!;
  };

  beforeAll(async () => {
    upstream = await EchoUpstream.start();
    stack = await startStack({
      logs: { write: (line) => lines.push(line) },
      env: {
        BFF_PROXY_BODY_LIMIT: String(BODY_LIMIT),
        BFF_ROUTES: JSON.stringify([{ name: 'echo', upstream: upstream.url, token: 'user' }]),
      },
    });
    port = Number(new URL(stack.url).port);
  });
  afterAll(async () => {
    await stack.close();
    await upstream.close();
  });

  it('replaces Fastify\'s two request lines: no "incoming request" line is written', async () => {
    const response = await fetch(`${stack.url}/health/live`);
    await lineOf(response.headers.get('x-request-id'));
    expect(lines.filter((line) => line.includes('incoming request'))).toEqual([]);
  });

  it('writes one info line for a proxied 200 with the route pattern, and nothing of the secrets the request carried', async () => {
    const browser = new BrowserClient();
    await browser.login(stack.url);
    const cookie = browser.cookie('__Host-bff')!;
    const response = await browser.api(`${stack.url}/api/echo/orders?code=code-secret&state=state-secret`, {
      headers: { authorization: 'Bearer browser-bearer-secret' },
    });
    expect(response.status).toBe(200);
    const reqId = response.headers.get('x-request-id');
    const line = await lineOf(reqId);
    expect(line).toEqual({
      level: 30,
      time: expect.any(Number),
      service: 'bff',
      msg: 'request completed',
      reqId,
      method: 'GET',
      route: '/api/echo/*',
      status: 200,
      durationMs: expect.any(Number),
    });
    expect(line.durationMs).toBeGreaterThanOrEqual(0);
    const injected = String(upstream.seen.at(-1)?.headers.authorization).replace('Bearer ', '');
    const text = JSON.stringify(line);
    for (const secret of [cookie, injected, 'code-secret', 'state-secret', 'browser-bearer-secret', '/orders']) {
      expect({ secret, found: text.includes(secret) }).toEqual({ secret, found: false });
    }
  });

  it('writes one line for a 404, a 401 and a 413, each with its route', async () => {
    const unknown = await fetch(`${stack.url}/no/such/path?code=code-in-404`);
    expect(unknown.status).toBe(404);
    expect(await lineOf(unknown.headers.get('x-request-id'))).toMatchObject({ route: 'unmatched', status: 404 });
    expect(JSON.stringify(linesOf(unknown.headers.get('x-request-id')))).not.toContain('code-in-404');

    const anonymous = await new BrowserClient().api(`${stack.url}/auth/user`);
    expect(anonymous.status).toBe(401);
    expect(await lineOf(anonymous.headers.get('x-request-id'))).toMatchObject({ route: '/auth/user', status: 401 });

    const browser = new BrowserClient();
    await browser.login(stack.url);
    const tooLarge = await browser.api(`${stack.url}/api/echo/upload`, {
      method: 'POST',
      body: 'x'.repeat(BODY_LIMIT + 1),
    });
    expect(tooLarge.status).toBe(413);
    expect(await lineOf(tooLarge.headers.get('x-request-id'))).toMatchObject({
      method: 'POST',
      route: '/api/echo/*',
      status: 413,
    });
  });

  it('writes one line for a malformed URL and for a request Node could not parse, answered before any route', async () => {
    const malformed = await rawRequest(
      port,
      'GET /auth/user%zz?code=x HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n',
    );
    expect(malformed.status).toBe(400);
    expect(await lineOf(malformed.headers['x-request-id']?.[0] ?? null)).toMatchObject({
      method: 'GET',
      route: 'unmatched',
      status: 400,
    });
    const unparsed = await rawRequest(port, 'GET / HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n');
    expect(unparsed.status).toBe(400);
    expect(await lineOf(unparsed.headers['x-request-id']?.[0] ?? null)).toMatchObject({
      method: '-',
      route: 'unmatched',
      status: 400,
    });
  });

  it('writes one line, marked aborted, for a request whose client went away before the answer', async () => {
    const browser = new BrowserClient();
    await browser.login(stack.url);
    const request = httpRequest(`${stack.url}/api/echo/slow/5000`, {
      headers: { cookie: browser.cookieHeader(), 'x-csrf': '1' },
    });
    request.on('error', () => undefined);
    request.end();
    await waitFor(() => upstream.seen.some((seen) => seen.url === '/slow/5000'));
    const reqId = String(upstream.seen.find((seen) => seen.url === '/slow/5000')?.headers['x-request-id']);
    request.destroy();
    expect(await lineOf(reqId)).toMatchObject({ route: '/api/echo/*', status: 499, aborted: true });
  });

  it('writes one line for a refused WebSocket upgrade and one for an accepted one, with the route /ws', async () => {
    const before = access().filter((entry) => entry.route === '/ws').length;
    expect(await refusedUpgrade(stack.url)).toBe(401);
    await waitFor(() => access().filter((entry) => entry.route === '/ws').length > before);
    const browser = new BrowserClient();
    await browser.login(stack.url);
    const socket = await openSocket(stack.url, browser);
    expect(await socket.next()).toMatchObject({ type: 'ready' });
    await waitFor(() => access().filter((entry) => entry.route === '/ws').length > before + 1);
    socket.socket.close();
    await socket.closed;
    const upgrades = access()
      .filter((entry) => entry.route === '/ws')
      .slice(before);
    expect(upgrades.map(({ method, status, aborted }) => ({ method, status, aborted }))).toEqual([
      { method: 'GET', status: 401, aborted: undefined },
      { method: 'GET', status: 101, aborted: undefined },
    ]);
    expect(JSON.stringify(upgrades)).not.toContain('query-secret');
  });

  it('writes exactly one line per request, with the same fields every time', () => {
    const entries = access();
    expect(entries.length).toBeGreaterThan(10);
    const counts = new Map<string, number>();
    for (const entry of entries) counts.set(String(entry.reqId), (counts.get(String(entry.reqId)) ?? 0) + 1);
    expect([...counts].filter(([, count]) => count > 1)).toEqual([]);
    for (const entry of entries) {
      const fields = Object.keys(entry).filter((field) => field !== 'aborted');
      expect(fields.sort()).toEqual(ACCESS_FIELDS);
      expect(entry.level).toBe(30);
    }
  });
});

describe('the access log turned off (BFF_ACCESS_LOG=false)', () => {
  it('writes no access line, and still no Fastify request line', async () => {
    const lines: string[] = [];
    const stack = await startStack({
      redis: false,
      logs: { write: (line) => lines.push(line) },
      env: { BFF_ACCESS_LOG: 'false' },
    });
    try {
      expect((await fetch(`${stack.url}/health/live`)).status).toBe(200);
      expect((await fetch(`${stack.url}/no/such/path`)).status).toBe(404);
      // The metrics come from the same observation: both requests were seen, none was logged.
      const text = await (await fetch(`${stack.url}/metrics`)).text();
      expect(text).toMatch(/bff_http_requests_total\{method="GET",route="\/health\/live",status="200"\} 1/);
      expect(lines.filter((line) => line.includes('request completed') || line.includes('incoming request'))).toEqual(
        [],
      );
    } finally {
      await stack.close();
    }
  });
});
