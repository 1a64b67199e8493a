import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import type { LoggerService } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { BffOptions } from '@bff/bff-module';
import { createDevIdp, type DevIdp } from '@bff/dev-idp';
import { createExampleHost } from '@bff/example-host';
import { BrowserClient } from '../support/browser-client';
import { TEST_CLIENT } from '../support/bff-stack';
import { freePort } from '../support/free-port';
import { waitFor } from '../support/wait-for';

/** A host's own Nest logger, keeping what it is handed (message, then context). */
class CapturingLogger implements LoggerService {
  readonly calls: { level: string; message: unknown; context: unknown }[] = [];
  log(message: unknown, context?: unknown): void {
    this.calls.push({ level: 'log', message, context });
  }
  error(message: unknown, context?: unknown): void {
    this.calls.push({ level: 'error', message, context });
  }
  warn(message: unknown, context?: unknown): void {
    this.calls.push({ level: 'warn', message, context });
  }
  accessLines(): Record<string, unknown>[] {
    return this.calls
      .filter((call) => call.context === 'AccessLog')
      .map((call) => call.message as Record<string, unknown>);
  }
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

/**
 * The library path: a team's own Nest app (apps/example-host) given the management port and
 * the access log through BffModule options, with Fastify left without a logger of its own.
 */
describe('a host app with BffModule: management port and access log', () => {
  let idp: DevIdp;
  let url: string;
  let port: number;
  let options: (server: BffOptions['server']) => BffOptions;

  beforeAll(async () => {
    port = await freePort();
    url = `http://localhost:${String(port)}`;
    idp = await createDevIdp({
      clients: [{ ...TEST_CLIENT, redirectUris: [`${url}/auth/callback`], postLogoutRedirectUris: [`${url}/`] }],
    });
    const secret = randomBytes(32).toString('base64url');
    options = (server) => ({
      server: { port, publicUrl: url, ...server },
      oidc: { issuer: idp.issuer, clientId: TEST_CLIENT.clientId, clientSecret: TEST_CLIENT.clientSecret },
      session: { secret },
    });
  });
  afterAll(async () => {
    await idp.close();
  });

  it("serves /metrics and /health/* on the management port only, and the host's routes on its own port", async () => {
    const management = await freePort();
    const host = await createExampleHost(options({ managementPort: management }), false);
    await host.listen({ port });
    const managementUrl = `http://127.0.0.1:${String(management)}`;
    try {
      for (const path of ['/metrics', '/health/live', '/health/ready']) {
        const response = await fetch(`${url}${path}`);
        // The host's own unknown-path answer (Nest's default here), as for any path it does not serve.
        expect({ path, status: response.status, body: await response.json() }).toEqual({
          path,
          status: 404,
          body: { statusCode: 404, error: 'Not Found', message: `Cannot GET ${path}` },
        });
      }
      expect((await fetch(`${managementUrl}/health/live`)).status).toBe(200);
      expect(await (await fetch(`${managementUrl}/metrics`)).text()).toContain('bff_http_requests_total');
      expect((await fetch(`${managementUrl}/local/dashboard`, { headers: { 'x-csrf': '1' } })).status).toBe(404);
      expect((await new BrowserClient().api(`${managementUrl}/auth/user`)).status).toBe(404);
      expect((await new BrowserClient().api(`${url}/local/dashboard`)).status).toBe(401);
    } finally {
      await host.close();
    }
    expect(await isFree(management)).toBe(true);
  });

  it("writes the access line through the host's Nest logger when Fastify has none, and not at all with accessLog: false", async () => {
    const logger = new CapturingLogger();
    const host = await createExampleHost(options({}), logger);
    await host.listen({ port });
    let reqId: string | null;
    try {
      const response = await fetch(`${url}/health/live?code=secret-code`);
      reqId = response.headers.get('x-request-id');
      await waitFor(() => logger.accessLines().length > 0);
    } finally {
      await host.close();
    }
    expect(logger.accessLines()).toEqual([
      {
        msg: 'request completed',
        reqId,
        method: 'GET',
        route: '/health/live',
        status: 200,
        durationMs: expect.any(Number),
      },
    ]);

    const quiet = new CapturingLogger();
    const quietHost: NestFastifyApplication = await createExampleHost(options({ accessLog: false }), quiet);
    await quietHost.listen({ port });
    try {
      expect((await fetch(`${url}/health/live`)).status).toBe(200);
      expect((await fetch(`${url}/no-such-route`)).status).toBe(404);
    } finally {
      await quietHost.close();
    }
    expect(quiet.accessLines()).toEqual([]);
  });
});
