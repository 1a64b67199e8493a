import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { context, SpanKind, SpanStatusCode, trace, TraceFlags, type Attributes } from '@opentelemetry/api';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
import { encodeExportRequest, fastProtobufTraceSerializer } from './otlp-protobuf';
import { otlpProtobufExporter } from './sdk';

/** Spans made by a real SDK provider, kept in memory. */
function recorder(resourceAttributes: Attributes = { 'service.name': 'bff-spec' }): {
  provider: BasicTracerProvider;
  spans: () => ReadableSpan[];
} {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes(resourceAttributes),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  return { provider, spans: () => exporter.getFinishedSpans() };
}

/** What the SDK's own serializer writes for the same spans. */
function official(spans: ReadableSpan[]): Buffer {
  return Buffer.from(ProtobufTraceSerializer.serializeRequest(spans)!);
}

function fast(spans: ReadableSpan[]): Buffer {
  const encoded = encodeExportRequest(spans);
  if (encoded === undefined) throw new Error('expected the fast encoder to write these spans');
  return Buffer.from(encoded);
}

const REMOTE_PARENT = {
  traceId: '0af7651916cd43dd8448eb211c80319c',
  spanId: 'b7ad6b7169203331',
  traceFlags: TraceFlags.SAMPLED,
  isRemote: true,
};

describe('fastProtobufTraceSerializer', () => {
  it('writes a proxied request\u2019s SERVER and CLIENT spans byte for byte as the SDK does', () => {
    const { provider, spans } = recorder();
    const tracer = provider.getTracer('nest-bff');
    const server = tracer.startSpan('GET', {
      kind: SpanKind.SERVER,
      attributes: { 'http.request.method': 'GET', 'url.scheme': 'https', 'url.path': '/api/orders/1' },
    });
    const client = tracer.startSpan(
      'GET orders',
      {
        kind: SpanKind.CLIENT,
        attributes: { 'server.address': 'orders.internal', 'server.port': 8443, 'url.full': 'https://orders/1' },
      },
      trace.setSpan(context.active(), server),
    );
    client.setAttribute('http.response.status_code', 200);
    client.end();
    server.updateName('GET /api/orders/*');
    server.setAttribute('http.route', '/api/orders/*');
    server.end();
    expect(fast(spans())).toEqual(official(spans()));
  });

  it('matches on every attribute type, length, status, kind, remote parent and trace state', () => {
    const { provider, spans } = recorder({ 'service.name': 'bff-spec', 'service.instance.id': 'é-1' });
    const tracer = provider.getTracer('nest-bff', '1.2.3', { schemaUrl: 'https://opentelemetry.io/schemas/1.26.0' });
    const other = provider.getTracer('host-app');
    const remote = trace.setSpanContext(context.active(), {
      ...REMOTE_PARENT,
      traceState: { serialize: () => 'vendor=abc,other=1' } as never,
    });
    const attributes: Attributes = {
      ascii: 'plain',
      accents: 'déjà vu',
      emoji: 'ok \u{1F680}',
      loneSurrogate: 'a\ud800b',
      empty: '',
      long: 'x'.repeat(200),
      veryLong: 'y'.repeat(20_000),
      zero: 0,
      small: 7,
      int32: 2 ** 31,
      uint32: 2 ** 32 - 1,
      beyond32: 2 ** 32 + 5,
      negative: -1,
      bigNegative: -(2 ** 40) - 3,
      maxSafe: Number.MAX_SAFE_INTEGER,
      double: 1.5,
      negativeDouble: -0.25,
      infinite: Number.POSITIVE_INFINITY,
      yes: true,
      no: false,
      absent: undefined,
      '7': 'an integer-like key, iterated first',
    };
    const kinds = [SpanKind.INTERNAL, SpanKind.SERVER, SpanKind.CLIENT, SpanKind.PRODUCER, SpanKind.CONSUMER];
    for (const kind of kinds) {
      const span = tracer.startSpan(`span ${String(kind)}`, { kind, attributes }, remote);
      span.setStatus({ code: SpanStatusCode.ERROR, message: kind % 2 === 0 ? 'upstream said no' : '' });
      span.end();
    }
    const ok = other.startSpan('ok', { kind: SpanKind.INTERNAL });
    ok.setStatus({ code: SpanStatusCode.OK });
    ok.end();
    const unsampledParent = trace.setSpanContext(context.active(), { ...REMOTE_PARENT, isRemote: false });
    other.startSpan('local parent', {}, unsampledParent).end();
    expect(spans()).toHaveLength(kinds.length + 2);
    expect(fast(spans())).toEqual(official(spans()));
  });

  it('matches on a batch large enough to grow its buffer, across two resources', () => {
    const first = recorder({ 'service.name': 'a' });
    const second = recorder({ 'service.name': 'b', 'deployment.environment.name': 'test' });
    for (let i = 0; i < 600; i += 1) {
      const { provider } = i % 3 === 0 ? second : first;
      provider
        .getTracer('nest-bff')
        .startSpan(`GET /api/${String(i)}`, { attributes: { 'url.path': `/api/${'z'.repeat(i % 150)}`, i } })
        .end();
    }
    const batch = [...first.spans(), ...second.spans()].sort(() => 0.5 - Math.random());
    const encoded = fast(batch);
    expect(encoded.length).toBeGreaterThan(16 * 1024);
    expect(encoded).toEqual(official(batch));
  });

  it('leaves spans with events, links or array values to the SDK\u2019s serializer, whole batch', () => {
    const { provider, spans } = recorder();
    const tracer = provider.getTracer('host-app');
    tracer.startSpan('plain').end();
    const withEvent = tracer.startSpan('with event');
    withEvent.addEvent('retry', { attempt: 2 });
    withEvent.end();
    tracer.startSpan('with link', { links: [{ context: REMOTE_PARENT }] }).end();
    tracer.startSpan('with array', { attributes: { tags: ['a', 'b'] } }).end();
    for (const span of spans().slice(1)) {
      expect(encodeExportRequest([spans()[0]!, span])).toBeUndefined();
    }
    const serialized = fastProtobufTraceSerializer.serializeRequest(spans());
    expect(Buffer.from(serialized!)).toEqual(official(spans()));
  });

  it('reads the collector\u2019s answer as the SDK does', () => {
    const empty = new Uint8Array(0);
    expect(fastProtobufTraceSerializer.deserializeResponse(empty)).toEqual(
      ProtobufTraceSerializer.deserializeResponse(empty),
    );
  });
});

describe('otlpProtobufExporter', () => {
  it('posts the encoded spans to the collector as application/x-protobuf', async () => {
    const received: { request: IncomingMessage; body: Buffer }[] = [];
    const collector = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        received.push({ request, body: Buffer.concat(chunks) });
        response.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    const { port } = collector.address() as AddressInfo;
    const { provider, spans } = recorder();
    provider.getTracer('nest-bff').startSpan('GET /api/*', { kind: SpanKind.SERVER }).end();
    const exporter = otlpProtobufExporter(`http://127.0.0.1:${String(port)}/v1/traces`);
    try {
      const result = await new Promise<{ code: number }>((resolve) => {
        exporter.export(spans(), resolve);
      });
      expect(result.code).toBe(0); // ExportResultCode.SUCCESS
      expect(received).toHaveLength(1);
      expect(received[0]?.request.url).toBe('/v1/traces');
      expect(received[0]?.request.headers['content-type']).toBe('application/x-protobuf');
      expect(received[0]?.body).toEqual(official(spans()));
    } finally {
      await exporter.shutdown();
      await new Promise((resolve) => collector.close(resolve));
    }
  });
});
