import { request as httpRequest } from 'node:http';
import { parseTicket, SessionService } from '@bff/session';
import { BrowserClient } from '../support/browser-client';
import { startStack, type Stack } from '../support/bff-stack';
import { EchoUpstream } from '../support/echo-upstream';
import { freePort } from '../support/free-port';
import { waitFor } from '../support/wait-for';
import { openSocket } from '../support/socket-client';

/** The value of one sample line, e.g. `bff_sessions_total{event="created"}`. */
function sample(text: string, series: string): number {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? Number.NaN : Number(line.slice(series.length + 1));
}

describe('GET /metrics', () => {
  let stack: Stack;
  let upstream: EchoUpstream;
  beforeAll(async () => {
    upstream = await EchoUpstream.start();
    stack = await startStack({
      env: {
        BFF_ROUTES: JSON.stringify([
          { name: 'echo', upstream: upstream.url, token: 'user' },
          { name: 'down', upstream: `http://127.0.0.1:${String(await freePort())}`, token: 'user' },
        ]),
      },
    });
  });
  afterAll(async () => {
    await stack.close();
    await upstream.close();
  });

  it('counts requests, upstream calls, refreshes, sessions, sockets and pub/sub messages', async () => {
    const browser = new BrowserClient();
    await browser.login(stack.url);
    expect((await browser.api(`${stack.url}/auth/user`)).status).toBe(200);
    expect((await browser.api(`${stack.url}/api/echo/x`)).status).toBe(200);
    expect((await browser.api(`${stack.url}/api/down/x`)).status).toBe(502);
    const sessions = stack.bffs[0]!.app.get(SessionService);
    const session = await sessions.reload(parseTicket(browser.cookie('__Host-bff'))!);
    await sessions.saveTokens(session!, { ...session!.record.tokens, accessTokenExpiresAt: Date.now() - 1 });
    expect((await browser.api(`${stack.url}/api/echo/y`)).status).toBe(200);
    const socket = await openSocket(stack.url, browser);
    expect(await socket.next()).toMatchObject({ type: 'ready' });

    const response = await fetch(`${stack.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    expect(sample(text, 'bff_http_requests_total{method="GET",route="/auth/user",status="200"}')).toBe(1);
    expect(sample(text, 'bff_http_request_duration_seconds_count{method="GET",route="/auth/user",status="200"}')).toBe(
      1,
    );
    expect(sample(text, 'bff_proxy_upstream_requests_total{route="echo",status="200"}')).toBe(2);
    expect(sample(text, 'bff_proxy_upstream_requests_total{route="down",status="502"}')).toBe(1);
    expect(sample(text, 'bff_proxy_upstream_duration_seconds_count{route="echo"}')).toBe(2);
    expect(sample(text, 'bff_token_refresh_total{result="ok"}')).toBe(1);
    expect(sample(text, 'bff_refresh_lock_wait_seconds_count')).toBe(1);
    expect(sample(text, 'bff_sessions_total{event="created"}')).toBe(1);
    expect(sample(text, 'bff_websocket_connections')).toBe(1);
    expect(sample(text, 'bff_pubsub_messages_total{direction="out"}')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'bff_pubsub_messages_total{direction="in"}')).toBeGreaterThanOrEqual(1);
    expect(text).toContain('bff_process_');
    // Nothing secret in the scrape: no cookie, no token.
    expect(text).not.toContain(browser.cookie('__Host-bff') ?? 'no-cookie');
    expect(text).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}/);
    socket.socket.close();
  });

  it('counts a browser that gives up before the upstream answers as no upstream failure', async () => {
    const browser = new BrowserClient();
    await browser.login(stack.url);
    const abandonedBefore = upstream.abandonedResponses;
    // node:http, not fetch: destroying the request closes exactly its one connection.
    const request = httpRequest(`${stack.url}/api/echo/slow/5000`, {
      headers: { cookie: browser.cookieHeader(), 'x-csrf': '1' },
    });
    request.on('error', () => undefined);
    request.end();
    await waitFor(() => upstream.seen.some((seen) => seen.url === '/slow/5000'));
    request.destroy();
    // The BFF passes the abort on: the upstream sees its connection close before it answered.
    await waitFor(() => upstream.abandonedResponses > abandonedBefore);
    const text = await (await fetch(`${stack.url}/metrics`)).text();
    const echoFailures = text
      .split('\n')
      .filter((line) => line.startsWith('bff_proxy_upstream_requests_total{route="echo",status="5'));
    expect(echoFailures).toEqual([]);
  });
});
