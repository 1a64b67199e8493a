import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDevIdp, type DevIdp } from '@bff/dev-idp';
import { BrowserClient } from '../support/browser-client';
import { spawnBff } from '../support/bff-process';
import { startStack, type Stack } from '../support/bff-stack';
import { EchoUpstream } from '../support/echo-upstream';
import { freePort } from '../support/free-port';
import { expectContractError, rawRequest, type RawResponse } from '../support/raw-http';

const INTERNAL_TOKEN = 'internal-token-for-the-management-port-test';
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
const MANAGEMENT_PATHS = ['/metrics', '/health/live', '/health/ready', '/internal/publish'];
const PUBLISH = JSON.stringify({ channel: 'bff:ws:broadcast', message: { type: 'notice', data: 'x' } });

/** One request as written, with the headers given, a body when there is one, and `Connection: close`. */
function send(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body = '',
): Promise<RawResponse> {
  const lines = [`${method} ${path} HTTP/1.1`, 'Host: localhost', 'Connection: close'];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  const sendsLength = body !== '' || ['POST', 'PUT', 'PATCH'].includes(method);
  if (sendsLength && !('content-length' in headers)) lines.push(`Content-Length: ${String(Buffer.byteLength(body))}`);
  return rawRequest(port, `${lines.join('\r\n')}\r\n\r\n${body}`);
}

/** Nothing listens on the port: binding it succeeds. */
function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

/** The answer to a path no route serves, as any unknown path gets it. */
function expectUnknownPath(response: RawResponse, method: string, path: string): void {
  expect({ method, path, status: response.status }).toEqual({ method, path, status: 404 });
  expect(response.headers['content-type']?.[0]).toMatch(/^application\/json/);
  expect(response.headers['x-content-type-options']).toEqual(['nosniff']);
  // The body names the path without its query (a query is never echoed).
  if (method !== 'HEAD') {
    expect(JSON.parse(response.body)).toEqual({
      error: 'not_found',
      message: `Cannot ${method} ${path.split('?')[0]}`,
    });
  }
}

describe('BFF_MANAGEMENT_PORT', () => {
  let stack: Stack;
  let upstream: EchoUpstream;
  let port: number;
  let management: number;

  beforeAll(async () => {
    upstream = await EchoUpstream.start();
    management = await freePort();
    stack = await startStack({
      redis: false,
      env: {
        BFF_MANAGEMENT_PORT: String(management),
        BFF_INTERNAL_TOKEN: INTERNAL_TOKEN,
        BFF_ROUTES: JSON.stringify([{ name: 'echo', upstream: upstream.url, token: 'none' }]),
      },
    });
    port = Number(new URL(stack.url).port);
  });
  afterAll(async () => {
    await stack.close();
    await upstream.close();
  });

  describe('on PORT', () => {
    it.each(MANAGEMENT_PATHS)('answers %s with the unknown-path 404 for every method', async (path) => {
      for (const method of METHODS) expectUnknownPath(await send(port, method, path), method, path);
    });

    it.each([
      '/Metrics',
      '/metrics/',
      '//metrics',
      '/health/../metrics',
      '/%2Fmetrics',
      '/metrics?format=text',
      '/HEALTH/live',
      '/health/live/',
      '/health//ready',
      '/internal/publish/',
      '/internal/%70ublish',
    ])('answers the spelling %s with the unknown-path 404', async (path) => {
      expectUnknownPath(await send(port, 'GET', path), 'GET', path);
    });

    it('answers a request target that is no path at all (%2Fmetrics) with the contract 400, never the metrics', async () => {
      expectContractError(await send(port, 'GET', '%2Fmetrics'), 400, 'bad_request');
    });

    it('refuses /internal/publish with a valid internal token: 404, nothing published', async () => {
      const headers = { authorization: `Bearer ${INTERNAL_TOKEN}`, 'content-type': 'application/json' };
      expectUnknownPath(await send(port, 'POST', '/internal/publish', headers, PUBLISH), 'POST', '/internal/publish');
      const metrics = await send(management, 'GET', '/metrics');
      expect(metrics.body).not.toMatch(/^bff_pubsub_messages_total\{direction="out"\} [1-9]/m);
    });

    it('still serves the BFF: /auth and /api', async () => {
      expect((await new BrowserClient().api(`${stack.url}/auth/user`)).status).toBe(401);
      expect((await send(port, 'GET', '/api/echo/x', { 'x-csrf': '1' })).status).toBe(200);
    });
  });

  describe('on the management port', () => {
    it('serves /metrics, /health/live and /health/ready', async () => {
      const metrics = await send(management, 'GET', '/metrics');
      expect(metrics.status).toBe(200);
      expect(metrics.headers['content-type']?.[0]).toMatch(/^text\/plain/);
      expect(metrics.body).toContain('bff_http_requests_total');
      expect((await send(management, 'GET', '/health/live')).status).toBe(200);
      expect(JSON.parse((await send(management, 'GET', '/health/ready')).body)).toMatchObject({ status: 'ok' });
    });

    it('keeps the internal-token rule for /internal/publish: 401 without it, 202 with it', async () => {
      const json = { 'content-type': 'application/json' };
      expectContractError(
        await send(management, 'POST', '/internal/publish', json, PUBLISH),
        401,
        'invalid_internal_token',
      );
      const wrong = { ...json, authorization: 'Bearer not-the-token' };
      expectContractError(
        await send(management, 'POST', '/internal/publish', wrong, PUBLISH),
        401,
        'invalid_internal_token',
      );
      const right = { ...json, authorization: `Bearer ${INTERNAL_TOKEN}` };
      const published = await send(management, 'POST', '/internal/publish', right, PUBLISH);
      expect(published.status).toBe(202);
    });

    it('keeps the error contract and the body limit: malformed URL 400, oversized body 413, in JSON', async () => {
      expectContractError(await send(management, 'GET', '/health/live%zz'), 400, 'invalid_url');
      // Announced over the 1 MiB limit: refused from the header, before any of the body is read.
      const oversized = {
        authorization: `Bearer ${INTERNAL_TOKEN}`,
        'content-type': 'application/json',
        'content-length': String(2 * 1024 * 1024),
      };
      expectContractError(await send(management, 'POST', '/internal/publish', oversized), 413, 'body_too_large');
    });

    it.each([
      ['GET', '/'],
      ['GET', '/auth/login'],
      ['GET', '/auth/user'],
      ['POST', '/auth/backchannel-logout'],
      ['GET', '/api/echo/x'],
      ['POST', '/api/echo/x'],
    ])('does not serve %s %s: the unknown-path 404', async (method, path) => {
      expectUnknownPath(await send(management, method, path, { 'x-csrf': '1' }), method, path);
    });

    it('does not take WebSocket upgrades: /ws is an unknown path here', async () => {
      const upgrade = {
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
        'sec-websocket-version': '13',
      };
      const response = await rawRequest(
        management,
        `GET /ws HTTP/1.1\r\nHost: localhost\r\n${Object.entries(upgrade)
          .map(([name, value]) => `${name}: ${value}`)
          .join('\r\n')}\r\n\r\n`,
      );
      expectUnknownPath(response, 'GET', '/ws');
    });
  });
});

describe('the management listener next to the SPA (BFF_STATIC_DIR)', () => {
  it('serves the SPA on PORT only, and no management route through its file handler', async () => {
    const staticDir = await mkdtemp(join(tmpdir(), 'bff-management-spa-'));
    await writeFile(join(staticDir, 'index.html'), '<!doctype html><title>spa</title>');
    const management = await freePort();
    const stack = await startStack({
      redis: false,
      env: { BFF_MANAGEMENT_PORT: String(management), BFF_STATIC_DIR: staticDir },
    });
    try {
      const port = Number(new URL(stack.url).port);
      expect((await send(port, 'GET', '/')).body).toContain('<title>spa</title>');
      expect((await send(port, 'GET', '/index.html')).body).toContain('<title>spa</title>');
      expectUnknownPath(await send(management, 'GET', '/'), 'GET', '/');
      expectUnknownPath(await send(management, 'GET', '/index.html'), 'GET', '/index.html');
      for (const path of ['/metrics', '/health/live', '/health/../metrics', '//metrics']) {
        const response = await send(port, 'GET', path);
        expect({ path, served: response.status < 400 || response.body.includes('bff_') }).toEqual({
          path,
          served: false,
        });
      }
    } finally {
      await stack.close();
      await rm(staticDir, { recursive: true, force: true });
    }
  });
});

describe('the management listener and app.close()', () => {
  it('listens with the app and frees both ports when the app closes', async () => {
    const management = await freePort();
    const stack = await startStack({ redis: false, env: { BFF_MANAGEMENT_PORT: String(management) } });
    const port = Number(new URL(stack.url).port);
    expect((await send(management, 'GET', '/health/live')).status).toBe(200);
    expect(await isFree(management)).toBe(false);
    // A kept-alive connection on the management port must not hold the close.
    const kept = await fetch(`http://127.0.0.1:${String(management)}/health/live`);
    expect(kept.status).toBe(200);
    await stack.close();
    expect(await isFree(management)).toBe(true);
    expect(await isFree(port)).toBe(true);
  });

  it('keeps everything on PORT when unset', async () => {
    const stack = await startStack({ redis: false });
    try {
      expect((await fetch(`${stack.url}/metrics`)).status).toBe(200);
      expect((await fetch(`${stack.url}/health/live`)).status).toBe(200);
    } finally {
      await stack.close();
    }
  });
});

describe('BFF_MANAGEMENT_PORT given wrong', () => {
  let idp: DevIdp;
  beforeAll(async () => {
    idp = await createDevIdp({ port: 0, clients: [] });
  });
  afterAll(async () => {
    await idp.close();
  });
  const baseEnv = (): Record<string, string> => ({
    OIDC_ISSUER: idp.issuer,
    OIDC_CLIENT_ID: 'x',
    OIDC_CLIENT_SECRET: 'y',
    SESSION_SECRET: 's'.repeat(32),
  });

  it.each([
    [
      'the same port as PORT',
      (port: number) => ({ PORT: String(port), BFF_MANAGEMENT_PORT: String(port) }),
      'BFF_MANAGEMENT_PORT: must differ from PORT',
    ],
    ['out of range', () => ({ BFF_MANAGEMENT_PORT: '70000' }), 'BFF_MANAGEMENT_PORT: must not be greater than 65535'],
    ['not a number', () => ({ BFF_MANAGEMENT_PORT: 'metrics' }), 'BFF_MANAGEMENT_PORT: expected a whole number'],
  ])(
    'stops the process at boot when it is %s, naming the variable',
    async (_case, env, problem) => {
      const bff = spawnBff({ ...baseEnv(), ...env(await freePort()) });
      expect((await bff.exited).code).toBe(1);
      expect(bff.output()).toContain(problem);
    },
    20_000,
  );

  it('stops the process, naming the variables, when the management port is taken', async () => {
    const taken = createServer();
    const management = await freePort();
    await new Promise<void>((resolve) => taken.listen(management, '127.0.0.1', resolve));
    try {
      const port = await freePort();
      const bff = spawnBff({ ...baseEnv(), PORT: String(port), BFF_MANAGEMENT_PORT: String(management) });
      expect((await bff.exited).code).toBe(1);
      expect(bff.output()).toMatch(/BFF_MANAGEMENT_PORT.*EADDRINUSE/);
      expect(await isFree(port)).toBe(true);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  }, 20_000);
});
