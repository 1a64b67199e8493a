import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { BffTracing } from '@bff/tracing';
import type { FastifyInstance, FastifyRequest, onRequestHookHandler } from 'fastify';
import { rawCompletion, RequestCompletions, type CompletedRequest } from './request-completion';
import { RequestTracing } from './request-tracing';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';

class FakeResponse extends EventEmitter {
  headersSent = false;
  statusCode = 200;
  writableFinished = false;
  getHeader(): undefined {
    return undefined;
  }
}

function fakeRequest(url: string, headers: Record<string, string> = {}): IncomingMessage {
  return Object.assign(new EventEmitter(), { method: 'GET', url, httpVersion: '1.1', headers }) as IncomingMessage;
}

function setUp() {
  const exporter = new InMemorySpanExporter();
  const tracing = BffTracing.fromProvider(
    new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }),
  );
  const completions = new RequestCompletions(new RequestTracing(tracing, 'https'));
  const completed: { entry: CompletedRequest; activeSpanId?: string }[] = [];
  completions.listen((entry) => {
    completed.push({ entry: { ...entry }, activeSpanId: trace.getSpan(context.active())?.spanContext().spanId });
  });
  let hook: onRequestHookHandler | undefined;
  completions.registerRouting({
    addHook: (_name: string, handler: onRequestHookHandler) => (hook = handler),
  } as unknown as FastifyInstance);
  const route = (
    request: IncomingMessage,
    pattern: string,
    response: FakeResponse,
    done: () => void = () => undefined,
  ): void => {
    const routed = { id: 'req-1', routeOptions: { url: pattern } as FastifyRequest['routeOptions'], raw: request };
    Reflect.apply(hook!, undefined, [routed, { raw: response }, done]);
  };
  return { exporter, completions, completed, route };
}

function finish(response: FakeResponse, status: number): void {
  Object.assign(response, { headersSent: true, statusCode: status, writableFinished: true });
  response.emit('close');
}

describe('RequestTracing on RequestCompletions', () => {
  it('makes one SERVER span per request, active while it is handled and while listeners hear of it, not after', () => {
    const { exporter, completions, completed, route } = setUp();
    const request = fakeRequest('/api/echo/x?code=secret', { traceparent: `00-${TRACE}-${SPAN}-01` });
    const response = new FakeResponse();
    completions.watch(request, response as unknown as ServerResponse);
    let handledIn: string | undefined;
    let bodyEventIn: string | undefined;
    completions.handle(request, response as unknown as ServerResponse, () => {
      handledIn = trace.getSpan(context.active())?.spanContext().spanId;
      route(request, '/api/echo/*', response);
      request.on('data', () => {
        bodyEventIn = trace.getSpan(context.active())?.spanContext().spanId;
      });
    });
    // A body chunk arrives from the socket's context, outside the handler.
    context.with(context.active(), () => request.emit('data', Buffer.from('x')));
    finish(response, 201);
    // Once answered, what the request still emits (its `close`) runs where it is emitted.
    let closeIn: string | undefined = 'not yet';
    request.on('close', () => {
      closeIn = trace.getSpan(context.active())?.spanContext().spanId;
    });
    request.emit('close');

    const [span] = exporter.getFinishedSpans();
    const spanId = span?.spanContext().spanId;
    expect(span?.name).toBe('GET /api/echo/*');
    expect(span?.kind).toBe(SpanKind.SERVER);
    expect(span?.spanContext().traceId).toBe(TRACE);
    expect(span?.parentSpanContext?.spanId).toBe(SPAN);
    expect(span?.attributes).toMatchObject({ 'url.path': '/api/echo/x', 'http.response.status_code': 201 });
    expect(handledIn).toBe(spanId);
    expect(bodyEventIn).toBe(spanId);
    expect(closeIn).toBeUndefined();
    expect(completed).toEqual([
      { entry: expect.objectContaining({ status: 201, trace_id: TRACE, span_id: spanId }), activeSpanId: spanId },
    ]);
  });

  it('runs the rest of the routing hooks in the span of a request it first sees there', () => {
    const { exporter, completed, route } = setUp();
    const request = fakeRequest('/health/live');
    const response = new FakeResponse();
    let doneIn: string | undefined;
    route(request, '/health/live', response, () => {
      doneIn = trace.getSpan(context.active())?.spanContext().spanId;
    });
    finish(response, 200);
    const [span] = exporter.getFinishedSpans();
    expect(doneIn).toBe(span?.spanContext().spanId);
    expect(completed[0]?.entry.span_id).toBe(span?.spanContext().spanId);
  });

  it('gives an answer written on a raw socket a span of its own, continuing the traceparent it carried', () => {
    const { exporter, completions, completed } = setUp();
    const upgrade = fakeRequest('/ws?ticket=secret', { traceparent: `00-${TRACE}-${SPAN}-01` });
    completions.report(rawCompletion('req-2', 'GET', '/ws', 101, performance.now() - 5), upgrade);
    completions.report(rawCompletion('req-3', '-', 'unmatched', 400, performance.now()));
    const [ws, unparseable] = exporter.getFinishedSpans();
    expect(ws?.name).toBe('GET /ws');
    expect(ws?.spanContext().traceId).toBe(TRACE);
    expect(ws?.attributes['url.path']).toBe('/ws');
    expect(unparseable?.name).toBe('- unmatched');
    expect(unparseable?.parentSpanContext).toBeUndefined();
    expect(unparseable?.status.code).toBe(SpanStatusCode.UNSET);
    expect(completed.map(({ entry }) => entry.trace_id)).toEqual([TRACE, unparseable?.spanContext().traceId]);
  });
});
