import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { endClientSpan, endServerSpan, methodAttribute, pathOf, startClientSpan, startServerSpan } from './http-spans';
import { tracedFetch } from './traced-fetch';
import { BffTracing } from './tracing';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';

function inMemory(): { tracing: BffTracing; exporter: InMemorySpanExporter } {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  return { tracing: BffTracing.fromProvider(provider), exporter };
}

const request = (url: string, headers: Record<string, string> = {}) => ({
  method: 'GET',
  url,
  httpVersion: '1.1',
  headers,
});

describe('pathOf and methodAttribute', () => {
  it('cut the query and fragment off, and bound the method set', () => {
    expect(pathOf('/auth/callback?code=c&state=s')).toBe('/auth/callback');
    expect(pathOf('/a#frag')).toBe('/a');
    expect(pathOf('/plain')).toBe('/plain');
    expect(methodAttribute('PATCH')).toBe('PATCH');
    expect(methodAttribute('BREW')).toBe('_OTHER');
    expect(methodAttribute(undefined)).toBe('_OTHER');
  });
});

describe('SERVER spans', () => {
  it('are named <METHOD> <route> at the end, with the HTTP attributes and the path without query', () => {
    const { tracing, exporter } = inMemory();
    const { span } = startServerSpan(tracing, request('/api/echo/x?code=secret'), 'https');
    endServerSpan(span, { method: 'GET', route: '/api/echo/*', routeName: '/api/echo/*', status: 200, aborted: false });
    const [ended] = exporter.getFinishedSpans();
    expect(ended?.name).toBe('GET /api/echo/*');
    expect(ended?.kind).toBe(SpanKind.SERVER);
    expect(ended?.status.code).toBe(SpanStatusCode.UNSET);
    expect(ended?.attributes).toEqual({
      'http.request.method': 'GET',
      'url.scheme': 'https',
      'url.path': '/api/echo/x',
      'network.protocol.version': '1.1',
      'http.route': '/api/echo/*',
      'http.response.status_code': 200,
    });
  });

  it('continue a valid incoming traceparent and ignore a malformed one', () => {
    const { tracing, exporter } = inMemory();
    const continued = startServerSpan(tracing, request('/', { traceparent: `00-${TRACE}-${SPAN}-01` }), 'http');
    const fresh = startServerSpan(
      tracing,
      request('/', { traceparent: `00-${TRACE.toUpperCase()}-${SPAN}-01` }),
      'http',
    );
    continued.span.end();
    fresh.span.end();
    const [first, second] = exporter.getFinishedSpans();
    expect(first?.spanContext().traceId).toBe(TRACE);
    expect(first?.parentSpanContext?.spanId).toBe(SPAN);
    expect(second?.spanContext().traceId).not.toBe(TRACE.toLowerCase());
    expect(second?.parentSpanContext).toBeUndefined();
  });

  it('are errors for a 5xx only, carry no http.route when unmatched, and no status when aborted', () => {
    const { tracing, exporter } = inMemory();
    const outcomes = [
      { method: 'GET', route: '/x', routeName: '/x', status: 502, aborted: false },
      { method: 'GET', route: undefined, routeName: 'unmatched', status: 404, aborted: false },
      { method: 'GET', route: '/x', routeName: '/x', status: 499, aborted: true },
    ];
    for (const outcome of outcomes) endServerSpan(startServerSpan(tracing, request('/x'), 'http').span, outcome);
    const [failed, unmatched, aborted] = exporter.getFinishedSpans();
    expect(failed?.status.code).toBe(SpanStatusCode.ERROR);
    expect(failed?.attributes['error.type']).toBe('502');
    expect(unmatched?.name).toBe('GET unmatched');
    expect(unmatched?.status.code).toBe(SpanStatusCode.UNSET);
    expect(unmatched?.attributes['http.route']).toBeUndefined();
    expect(aborted?.attributes['bff.request.aborted']).toBe(true);
    expect(aborted?.attributes['http.response.status_code']).toBeUndefined();
  });
});

describe('CLIENT spans', () => {
  it('record the URL without its query and treat a 4xx as an error', () => {
    const { tracing, exporter } = inMemory();
    const span = startClientSpan(tracing, 'GET echo', 'GET', new URL('http://api.local:8080/v1/x?token=secret'), {
      'bff.proxy.route': 'echo',
    });
    endClientSpan(span, 401);
    const [ended] = exporter.getFinishedSpans();
    expect(ended?.kind).toBe(SpanKind.CLIENT);
    expect(ended?.attributes).toEqual({
      'http.request.method': 'GET',
      'server.address': 'api.local',
      'server.port': 8080,
      'url.full': 'http://api.local:8080/v1/x',
      'bff.proxy.route': 'echo',
      'http.response.status_code': 401,
      'error.type': '401',
    });
    expect(ended?.status.code).toBe(SpanStatusCode.ERROR);
  });

  it('record a failure by the name of its error', () => {
    const { tracing, exporter } = inMemory();
    endClientSpan(
      startClientSpan(tracing, 'x', 'POST', new URL('https://idp/token'), {}),
      undefined,
      new TypeError('down'),
    );
    const [ended] = exporter.getFinishedSpans();
    expect(ended?.attributes['server.port']).toBe(443);
    expect(ended?.attributes['error.type']).toBe('TypeError');
    expect(ended?.status.code).toBe(SpanStatusCode.ERROR);
  });
});

describe('tracedFetch', () => {
  afterEach(() => {
    jest.restoreAllMocks();
  });

  it("sends the call's traceparent along and ends its span with the status", async () => {
    const { tracing, exporter } = inMemory();
    const fetch = jest.spyOn(globalThis, 'fetch').mockResolvedValue(new Response('{}', { status: 200 }));
    const call = tracedFetch(tracing, () => ({ name: 'oidc token', attributes: { 'bff.oidc.operation': 'token' } }));
    await call('http://idp/token', { method: 'POST', headers: { accept: 'application/json' }, body: 'secret-body' });
    const [ended] = exporter.getFinishedSpans();
    const sent = fetch.mock.calls[0]![1]!.headers as Record<string, string>;
    expect(sent.accept).toBe('application/json');
    expect(sent.traceparent).toBe(`00-${ended!.spanContext().traceId}-${ended!.spanContext().spanId}-01`);
    expect(ended?.name).toBe('oidc token');
    expect(ended?.attributes['http.response.status_code']).toBe(200);
    expect(JSON.stringify(ended?.attributes)).not.toContain('secret-body');
  });

  it('ends the span as an error and rethrows when the call fails', async () => {
    const { tracing, exporter } = inMemory();
    jest.spyOn(globalThis, 'fetch').mockRejectedValue(new TypeError('fetch failed'));
    const call = tracedFetch(tracing, () => ({ name: 'oidc token', attributes: {} }));
    await expect(call('http://idp/token', { method: 'POST', headers: {} })).rejects.toThrow('fetch failed');
    expect(exporter.getFinishedSpans()[0]?.status.code).toBe(SpanStatusCode.ERROR);
  });
});
