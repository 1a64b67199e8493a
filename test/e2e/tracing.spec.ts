import { randomBytes } from 'node:crypto';
import type { LoggerService } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createDevIdp, type DevIdp } from '@bff/dev-idp';
import { createExampleHost } from '@bff/example-host';
import { BffTracing } from '@bff/tracing';
import { BrowserClient } from '../support/browser-client';
import { sessionOf, startStack, TEST_CLIENT, type Stack } from '../support/bff-stack';
import { EchoUpstream, type SeenRequest } from '../support/echo-upstream';
import { freePort } from '../support/free-port';
import { OtlpReceiver, SPAN_KIND, STATUS_CODE, type ReceivedSpan } from '../support/otlp-receiver';
import { rawRequest } from '../support/raw-http';
import { waitFor } from '../support/wait-for';

interface LogLine {
  msg?: string;
  reqId?: string;
  route?: string;
  trace_id?: string;
  span_id?: string;
  [field: string]: unknown;
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-0[01]$/;
const INCOMING_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const INCOMING_SPAN = '00f067aa0ba902b7';

/** The trace id and parent span id an upstream was sent, or undefined without a valid `traceparent`. */
function traceparentOf(seen: SeenRequest): { traceId: string; parentId: string } | undefined {
  const match = TRACEPARENT.exec(String(seen.headers.traceparent));
  return match ? { traceId: match[1]!, parentId: match[2]! } : undefined;
}

function routes(upstream: EchoUpstream): string {
  return JSON.stringify([{ name: 'echo', upstream: upstream.url, token: 'user' }]);
}

describe('OpenTelemetry traces (OTLP/HTTP JSON to a collector)', () => {
  const lines: string[] = [];
  let receiver: OtlpReceiver;
  let upstream: EchoUpstream;
  let stack: Stack;
  const browser = new BrowserClient();
  /** Every secret the browser or the BFF held during the tests: none may be a span attribute. */
  const secrets = new Set<string>(['code-secret', 'state-secret', 'browser-bearer-secret']);

  const access = (): LogLine[] =>
    lines.map((line) => JSON.parse(line) as LogLine).filter((entry) => entry.msg === 'request completed');
  /** The access line of a request, once written. */
  const accessLineOf = async (response: Response): Promise<LogLine> => {
    const reqId = response.headers.get('x-request-id');
    await waitFor(() => access().some((entry) => entry.reqId === reqId));
    return access().find((entry) => entry.reqId === reqId)!;
  };
  /** Exports what the BFF has ended so far and waits for a span matching `match`. */
  const spanWhere = async (match: (span: ReceivedSpan) => boolean): Promise<ReceivedSpan> => {
    await waitFor(() => {
      void stack.bffs[0]!.app.get(BffTracing).flush();
      return receiver.spans.some(match);
    }, 50);
    return receiver.spans.find(match)!;
  };
  /** The SERVER span of a request, found by the trace id its access line carries. */
  const serverSpanOf = async (response: Response): Promise<ReceivedSpan> => {
    const line = await accessLineOf(response);
    expect(line.trace_id).toMatch(/^[0-9a-f]{32}$/);
    return spanWhere((span) => span.kind === SPAN_KIND.SERVER && span.spanId === line.span_id);
  };

  beforeAll(async () => {
    receiver = await OtlpReceiver.start();
    upstream = await EchoUpstream.start();
    stack = await startStack({
      logs: { write: (line) => lines.push(line) },
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_SERVICE_NAME: 'bff-under-test',
        BFF_ROUTES: routes(upstream),
      },
    });
    await browser.login(stack.url);
    secrets.add(browser.cookie('__Host-bff')!);
  });
  afterAll(async () => {
    await stack.close();
    await upstream.close();
    await receiver.close();
  });

  it('makes one SERVER span per request, named <METHOD> <route pattern>, with the HTTP attributes and never the query', async () => {
    const response = await fetch(`${stack.url}/health/live?code=code-secret&state=state-secret`);
    expect(response.status).toBe(200);
    const span = await serverSpanOf(response);
    expect(span).toMatchObject({
      name: 'GET /health/live',
      service: 'bff-under-test',
      parentSpanId: '',
      status: STATUS_CODE.UNSET,
      attributes: {
        'http.request.method': 'GET',
        'http.route': '/health/live',
        'http.response.status_code': 200,
        'url.path': '/health/live',
        'url.scheme': 'http',
      },
    });
    const line = await accessLineOf(response);
    expect(receiver.trace(line.trace_id!).filter((each) => each.kind === SPAN_KIND.SERVER)).toHaveLength(1);
  });

  it('names an unknown path by the access log\'s route ("unmatched") without an http.route', async () => {
    const response = await fetch(`${stack.url}/no/such/path?state=state-secret`);
    expect(response.status).toBe(404);
    const span = await serverSpanOf(response);
    expect(span.name).toBe('GET unmatched');
    expect(span.attributes['http.route']).toBeUndefined();
    expect(span.attributes['http.response.status_code']).toBe(404);
    expect(span.status).toBe(STATUS_CODE.UNSET);
  });

  it('marks a 5xx answer as an error', async () => {
    upstream.seen.length = 0;
    const response = await browser.api(`${stack.url}/api/echo/status/503`);
    expect(response.status).toBe(503);
    const span = await serverSpanOf(response);
    expect(span.name).toBe('GET /api/echo/*');
    expect(span.status).toBe(STATUS_CODE.ERROR);
    expect(span.attributes['error.type']).toBe('503');
  });

  it('makes a CLIENT span for the upstream call, whose traceparent the upstream receives', async () => {
    upstream.seen.length = 0;
    const response = await browser.api(`${stack.url}/api/echo/echo?code=code-secret`, {
      headers: { authorization: 'Bearer browser-bearer-secret' },
    });
    expect(response.status).toBe(200);
    const server = await serverSpanOf(response);
    const sent = traceparentOf(upstream.seen[0]!);
    expect(sent?.traceId).toBe(server.traceId);
    const client = await spanWhere((span) => span.kind === SPAN_KIND.CLIENT && span.spanId === sent?.parentId);
    expect(client).toMatchObject({
      name: 'GET echo',
      traceId: server.traceId,
      parentSpanId: server.spanId,
      attributes: {
        'http.request.method': 'GET',
        'http.response.status_code': 200,
        'bff.proxy.route': 'echo',
        'url.full': `${upstream.url}/echo`,
      },
    });
  });

  it('traces a proxied upload: the streamed body reaches the upstream inside the span', async () => {
    upstream.seen.length = 0;
    const response = await browser.api(`${stack.url}/api/echo/upload`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: Buffer.alloc(64 * 1024, 1),
    });
    expect(response.status).toBe(200);
    const server = await serverSpanOf(response);
    expect(server.name).toBe('POST /api/echo/*');
    const sent = traceparentOf(upstream.seen[0]!);
    expect(upstream.seen[0]!.bodyBytes).toBe(64 * 1024);
    const client = await spanWhere((span) => span.spanId === sent?.parentId);
    expect(client).toMatchObject({ name: 'POST echo', parentSpanId: server.spanId });
  });

  it("continues an incoming traceparent, and sends the upstream its own instead of the browser's", async () => {
    upstream.seen.length = 0;
    const response = await browser.api(`${stack.url}/api/echo/echo`, {
      headers: { traceparent: `00-${INCOMING_TRACE}-${INCOMING_SPAN}-01`, tracestate: 'vendor=browser' },
    });
    expect(response.status).toBe(200);
    const server = await serverSpanOf(response);
    expect(server.traceId).toBe(INCOMING_TRACE);
    expect(server.parentSpanId).toBe(INCOMING_SPAN);
    const sent = traceparentOf(upstream.seen[0]!);
    expect(sent?.traceId).toBe(INCOMING_TRACE);
    expect(sent?.parentId).not.toBe(INCOMING_SPAN);
    const client = await spanWhere((span) => span.spanId === sent?.parentId);
    expect(client.parentSpanId).toBe(server.spanId);
  });

  it("continues a trace the browser's traceparent sampled out without recording it; the upstream and the access line still carry it", async () => {
    const unsampledTrace = randomBytes(16).toString('hex');
    upstream.seen.length = 0;
    const response = await browser.api(`${stack.url}/api/echo/echo`, {
      headers: { traceparent: `00-${unsampledTrace}-${INCOMING_SPAN}-00`, tracestate: 'vendor=browser' },
    });
    expect(response.status).toBe(200);
    const line = await accessLineOf(response);
    expect(line.trace_id).toBe(unsampledTrace);
    expect(line.span_id).toMatch(/^[0-9a-f]{16}$/);
    expect(line.span_id).not.toBe(INCOMING_SPAN);
    // The upstream's parent is the request's own unrecorded span: still not sampled, its state passed on.
    expect(upstream.seen[0]!.headers.traceparent).toBe(`00-${unsampledTrace}-${line.span_id}-00`);
    expect(upstream.seen[0]!.headers.tracestate).toBe('vendor=browser');
    // A later request's span is exported; none of the sampled-out trace ever is.
    await serverSpanOf(await browser.api(`${stack.url}/api/echo/echo`));
    expect(receiver.spans.filter((span) => span.traceId === unsampledTrace)).toEqual([]);
  });

  it.each([
    ['a version other than 00', `ff-${INCOMING_TRACE}-${INCOMING_SPAN}-01`],
    ['an all-zero trace id', `00-${'0'.repeat(32)}-${INCOMING_SPAN}-01`],
    ['an all-zero span id', `00-${INCOMING_TRACE}-${'0'.repeat(16)}-01`],
    ['uppercase hex', `00-${INCOMING_TRACE.toUpperCase()}-${INCOMING_SPAN}-01`],
    ['a field too many', `00-${INCOMING_TRACE}-${INCOMING_SPAN}-01-extra`],
    ['a trace id too long', `00-${INCOMING_TRACE}ab-${INCOMING_SPAN}-01`],
  ])('ignores a traceparent with %s: a new trace, no error', async (_case, traceparent) => {
    upstream.seen.length = 0;
    const response = await browser.api(`${stack.url}/api/echo/echo`, {
      headers: { traceparent, tracestate: 'vendor=browser' },
    });
    expect(response.status).toBe(200);
    const server = await serverSpanOf(response);
    expect(server.parentSpanId).toBe('');
    expect(server.traceId).not.toBe(INCOMING_TRACE);
    expect(traceparentOf(upstream.seen[0]!)?.traceId).toBe(server.traceId);
    // A tracestate means nothing without a valid traceparent: it is not passed on either.
    expect(upstream.seen[0]!.headers.tracestate).toBeUndefined();
  });

  it('ignores two traceparent headers: a new trace, no error', async () => {
    const port = Number(new URL(stack.url).port);
    const one = `00-${INCOMING_TRACE}-${INCOMING_SPAN}-01`;
    const response = await rawRequest(
      port,
      `GET /health/live HTTP/1.1\r\nHost: localhost\r\ntraceparent: ${one}\r\ntraceparent: ${one}\r\nConnection: close\r\n\r\n`,
    );
    expect(response.status).toBe(200);
    const reqId = response.headers['x-request-id']?.[0];
    await waitFor(() => access().some((entry) => entry.reqId === reqId));
    const line = access().find((entry) => entry.reqId === reqId)!;
    const server = await spanWhere((span) => span.spanId === line.span_id);
    expect(server.parentSpanId).toBe('');
    expect(server.traceId).not.toBe(INCOMING_TRACE);
  });

  it('writes trace_id and span_id of the SERVER span on the access-log line', async () => {
    const response = await fetch(`${stack.url}/health/live`);
    const line = await accessLineOf(response);
    const server = await spanWhere((span) => span.spanId === line.span_id);
    expect(line.trace_id).toBe(server.traceId);
    expect(server.kind).toBe(SPAN_KIND.SERVER);
  });

  it("made a CLIENT span for discovery at boot and for the code grant at login, under the callback's SERVER span", async () => {
    const discovery = await spanWhere((span) => span.name === 'oidc discovery');
    expect(discovery).toMatchObject({
      kind: SPAN_KIND.CLIENT,
      attributes: { 'http.request.method': 'GET', 'http.response.status_code': 200, 'bff.oidc.operation': 'discovery' },
    });
    const grant = await spanWhere((span) => span.name === 'oidc authorization_code');
    expect(grant.kind).toBe(SPAN_KIND.CLIENT);
    expect(grant.attributes).toMatchObject({ 'http.request.method': 'POST', 'http.response.status_code': 200 });
    expect(String(grant.attributes['url.full'])).toMatch(/^http:\/\/localhost:\d+\/.*token$/);
    const callback = receiver.trace(grant.traceId).find((span) => span.kind === SPAN_KIND.SERVER);
    expect(callback?.name).toBe('GET /auth/callback');
    expect(grant.parentSpanId).toBe(callback?.spanId);
  });

  it('makes a lock-wait span and a refresh_token CLIENT span when a request refreshes the token, and the refresh log line carries the trace id', async () => {
    const { service, session } = await sessionOf(stack, browser);
    secrets.add(session.record.tokens.accessToken);
    if (session.record.tokens.refreshToken) secrets.add(session.record.tokens.refreshToken);
    await service.saveTokens(session, { ...session.record.tokens, accessTokenExpiresAt: Date.now() - 1000 });
    upstream.seen.length = 0;
    const response = await browser.api(`${stack.url}/api/echo/echo`);
    expect(response.status).toBe(200);
    const server = await serverSpanOf(response);
    const wait = await spanWhere((span) => span.traceId === server.traceId && span.name === 'token refresh lock wait');
    expect(wait).toMatchObject({
      kind: SPAN_KIND.INTERNAL,
      parentSpanId: server.spanId,
      attributes: { 'bff.lock.acquired': true },
    });
    const refresh = await spanWhere((span) => span.traceId === server.traceId && span.name === 'oidc refresh_token');
    expect(refresh.kind).toBe(SPAN_KIND.CLIENT);
    expect(refresh.attributes['http.response.status_code']).toBe(200);
    const refreshed = lines
      .map((line) => JSON.parse(line) as LogLine)
      .find((entry) => String(entry.msg).startsWith('access token refreshed'));
    expect(refreshed?.trace_id).toBe(server.traceId);
    const fresh = await sessionOf(stack, browser);
    secrets.add(fresh.session.record.tokens.accessToken);
  });

  it('makes a revocation CLIENT span under the SERVER span of the logout', async () => {
    const { logoutUrl } = (await (await browser.api(`${stack.url}/auth/user`)).json()) as { logoutUrl: string };
    secrets.add(new URL(logoutUrl, stack.url).searchParams.get('sid')!);
    const response = await browser.fetch(`${stack.url}${logoutUrl}`);
    expect(response.status).toBe(302);
    const server = await serverSpanOf(response);
    expect(server.name).toBe('GET /auth/logout');
    const revocation = await spanWhere((span) => span.traceId === server.traceId && span.name === 'oidc revocation');
    expect(revocation).toMatchObject({
      kind: SPAN_KIND.CLIENT,
      parentSpanId: server.spanId,
      attributes: { 'http.request.method': 'POST', 'http.response.status_code': 200 },
    });
  });

  it('puts no query, token or cookie into any span attribute', async () => {
    await stack.bffs[0]!.app.get(BffTracing).flush();
    expect(receiver.spans.length).toBeGreaterThan(10);
    const values = receiver.spans.flatMap((span) => Object.values(span.attributes).map(String));
    for (const value of values) {
      expect(value).not.toContain('?');
      for (const secret of secrets) expect(value).not.toContain(secret);
    }
  });
});

describe('tracing off (no exporter endpoint)', () => {
  const lines: string[] = [];
  let receiver: OtlpReceiver;
  let upstream: EchoUpstream;
  let traced: Stack;
  let untraced: Stack;
  const browser = new BrowserClient();

  beforeAll(async () => {
    receiver = await OtlpReceiver.start();
    upstream = await EchoUpstream.start();
    // A traced BFF in the same process: the untraced one must not send spans through it.
    traced = await startStack({
      redis: false,
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' },
    });
    untraced = await startStack({
      redis: false,
      logs: { write: (line) => lines.push(line) },
      env: { BFF_ROUTES: routes(upstream) },
    });
    await browser.login(untraced.url);
  });
  afterAll(async () => {
    await untraced.close();
    await traced.close();
    await upstream.close();
    await receiver.close();
  });

  it('sends no traceparent upstream when the browser sent none, and writes no trace_id', async () => {
    upstream.seen.length = 0;
    const response = await browser.api(`${untraced.url}/api/echo/echo`);
    expect(response.status).toBe(200);
    expect(upstream.seen[0]!.headers.traceparent).toBeUndefined();
    expect(upstream.seen[0]!.headers.tracestate).toBeUndefined();
    const reqId = response.headers.get('x-request-id');
    await waitFor(() => lines.some((line) => line.includes(String(reqId))));
    expect(lines.filter((line) => line.includes('trace_id'))).toEqual([]);
    expect(untraced.bffs[0]!.app.get(BffTracing).enabled).toBe(false);
  });

  it("passes the browser's traceparent and tracestate through unchanged, as a plain proxy, and exports nothing", async () => {
    upstream.seen.length = 0;
    const traceparent = `00-${INCOMING_TRACE}-${INCOMING_SPAN}-01`;
    const response = await browser.api(`${untraced.url}/api/echo/echo`, {
      headers: { traceparent, tracestate: 'vendor=browser' },
    });
    expect(response.status).toBe(200);
    expect(upstream.seen[0]!.headers.traceparent).toBe(traceparent);
    expect(upstream.seen[0]!.headers.tracestate).toBe('vendor=browser');
    // The traced instance's spans reach the collector; the untraced one's never do.
    const probe = await fetch(`${traced.url}/health/live`);
    expect(probe.status).toBe(200);
    await waitFor(() => {
      void traced.bffs[0]!.app.get(BffTracing).flush();
      return receiver.spans.some((span) => span.name === 'GET /health/live');
    }, 50);
    expect(receiver.trace(INCOMING_TRACE)).toEqual([]);
    expect(receiver.spans.filter((span) => span.name.startsWith('GET /api/'))).toEqual([]);
  });
});

describe('tracing in a host app with BffModule, configured in code (apps/example-host)', () => {
  let receiver: OtlpReceiver;
  let idp: DevIdp;
  let host: NestFastifyApplication;
  let url: string;
  const logged: unknown[] = [];
  const logger: LoggerService = {
    log: (message: unknown) => logged.push(message),
    error: () => undefined,
    warn: () => undefined,
  };

  beforeAll(async () => {
    receiver = await OtlpReceiver.start();
    const port = await freePort();
    url = `http://localhost:${String(port)}`;
    idp = await createDevIdp({
      clients: [{ ...TEST_CLIENT, redirectUris: [`${url}/auth/callback`], postLogoutRedirectUris: [`${url}/`] }],
    });
    host = await createExampleHost(
      {
        server: { port, publicUrl: url },
        oidc: { issuer: idp.issuer, clientId: TEST_CLIENT.clientId, clientSecret: TEST_CLIENT.clientSecret },
        session: { secret: randomBytes(32).toString('base64url') },
        tracing: { endpoint: receiver.url, protocol: 'http/json', serviceName: 'example-host' },
      },
      logger,
    );
    await host.listen({ port });
  });
  afterAll(async () => {
    await host.close();
    await idp.close();
    await receiver.close();
  });

  it("gives the host's own routes and the BFF's a SERVER span, and its access line the trace id", async () => {
    const response = await fetch(`${url}/local/dashboard`, { headers: { 'x-csrf': '1' } });
    expect(response.status).toBe(401);
    const reqId = response.headers.get('x-request-id');
    const lineOf = (): LogLine | undefined =>
      logged.find((entry): entry is LogLine => (entry as LogLine | undefined)?.reqId === reqId);
    await waitFor(() => lineOf() !== undefined);
    await waitFor(() => {
      void host.get(BffTracing).flush();
      return receiver.spans.some((span) => span.spanId === lineOf()?.span_id);
    }, 50);
    const span = receiver.spans.find((each) => each.spanId === lineOf()?.span_id)!;
    expect(span).toMatchObject({
      name: 'GET /local/dashboard',
      service: 'example-host',
      kind: SPAN_KIND.SERVER,
      traceId: lineOf()?.trace_id,
      attributes: { 'http.response.status_code': 401, 'http.route': '/local/dashboard' },
    });
    expect(receiver.spans.some((each) => each.name === 'oidc discovery' && each.service === 'example-host')).toBe(true);
  });
});
