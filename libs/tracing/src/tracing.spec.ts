import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { context, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import {
  AlwaysOffSampler,
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { contextWithRemoteParent } from './traceparent';
import { TracingConfig } from '@bff/config';
import { BffTracing, tracesUrlOf, tracingEnabled } from './tracing';

function configWith(values: Partial<TracingConfig>): TracingConfig {
  return Object.assign(new TracingConfig(), values);
}

function inMemory(): { tracing: BffTracing; exporter: InMemorySpanExporter } {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  return { tracing: BffTracing.fromProvider(provider), exporter };
}

describe('tracesUrlOf', () => {
  it('appends /v1/traces to the base endpoint, once, and takes the traces endpoint as it is', () => {
    expect(tracesUrlOf({ endpoint: 'http://collector:4318' })).toBe('http://collector:4318/v1/traces');
    expect(tracesUrlOf({ endpoint: 'http://collector:4318/' })).toBe('http://collector:4318/v1/traces');
    expect(tracesUrlOf({ endpoint: 'http://a:4318', tracesEndpoint: 'http://b/otlp/spans' })).toBe(
      'http://b/otlp/spans',
    );
  });

  it('is undefined, and tracing off, without either endpoint', () => {
    expect(tracesUrlOf({})).toBeUndefined();
    expect(tracingEnabled({})).toBe(false);
    expect(tracingEnabled({ tracesEndpoint: 'http://b/v1/traces' })).toBe(true);
  });
});

describe('BffTracing.start', () => {
  it('is off without an endpoint, and does not load the SDK', () => {
    const loaded = jest.fn();
    jest.isolateModules(() => {
      jest.doMock('./sdk', () => {
        loaded();
        return {};
      });
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const isolated = require('./tracing') as typeof import('./tracing');
      const tracing = isolated.BffTracing.start(configWith({}));
      expect(tracing.enabled).toBe(false);
      expect(tracing.mode).toBe('off');
    });
    jest.dontMock('./sdk');
    expect(loaded).not.toHaveBeenCalled();
  });

  it('exports through a provider of its own when no global provider is registered', async () => {
    const tracing = BffTracing.start(configWith({ endpoint: 'http://127.0.0.1:9', protocol: 'http/json' }));
    expect(tracing.enabled).toBe(true);
    expect(tracing.mode).toBe('own');
    // Not registered globally: a host's (or another instance's) global tracer stays a no-op.
    expect(trace.getTracer('other').startSpan('x').isRecording()).toBe(false);
    await tracing.shutdown();
  });

  it("uses the host's global tracer provider when one is registered", () => {
    const exporter = new InMemorySpanExporter();
    const host = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    expect(trace.setGlobalTracerProvider(host)).toBe(true);
    try {
      const tracing = BffTracing.start(configWith({ endpoint: 'http://127.0.0.1:9' }));
      expect(tracing.mode).toBe('host');
      tracing.startSpan('GET /x', SpanKind.SERVER, {}).end();
      expect(exporter.getFinishedSpans().map((span) => span.name)).toEqual(['GET /x']);
    } finally {
      trace.disable();
    }
  });
});

describe('BffTracing.startSpan under an unrecorded parent', () => {
  const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
  const SPAN = '00f067aa0ba902b7';
  // A collector that takes whatever the recorded spans' export posts.
  let collector: Server;
  let endpoint: string;
  beforeAll(async () => {
    collector = createServer((request, response) => {
      request.resume();
      request.on('end', () => response.end());
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => collector.close(resolve));
  });
  const own = (sampler: TracingConfig['sampler']): BffTracing =>
    BffTracing.start(configWith({ endpoint, protocol: 'http/json', sampler }));
  const childOf = (tracing: BffTracing, parent: ReturnType<BffTracing['startSpan']>) =>
    tracing.startSpan('GET echo', SpanKind.CLIENT, {}, trace.setSpan(ROOT_CONTEXT, parent));

  it('stands the sampled-out SERVER span in for its children with the own provider (always_off)', async () => {
    const tracing = own('always_off');
    const server = tracing.startSpan('GET', SpanKind.SERVER, {}, ROOT_CONTEXT);
    expect(server.isRecording()).toBe(false);
    expect(tracing.unrecordedParentIn(trace.setSpan(ROOT_CONTEXT, server))).toBe(server);
    const child = childOf(tracing, server);
    expect(child).toBe(server);
    const inServer = trace.setSpan(ROOT_CONTEXT, server);
    await expect(
      context.with(inServer, () => tracing.inSpan('lock', {}, (span) => Promise.resolve(span))),
    ).resolves.toBe(server);
    await tracing.shutdown();
  });

  it("does so for a trace the browser's traceparent sampled out (parentbased_always_on), keeping its trace id", async () => {
    const tracing = own('parentbased_always_on');
    const remote = contextWithRemoteParent(ROOT_CONTEXT, { traceparent: `00-${TRACE}-${SPAN}-00` });
    // The remote parent itself stands in for nothing: a sampler decides under it.
    expect(tracing.unrecordedParentIn(remote)).toBeUndefined();
    const server = tracing.startSpan('GET', SpanKind.SERVER, {}, remote);
    expect(server.isRecording()).toBe(false);
    expect(server.spanContext().traceId).toBe(TRACE);
    expect(server.spanContext().spanId).not.toBe(SPAN);
    expect(childOf(tracing, server)).toBe(server);
    await tracing.shutdown();
  });

  it('asks the sampler under a sampled remote parent and under a recorded span', async () => {
    const tracing = own('parentbased_always_off');
    const remote = contextWithRemoteParent(ROOT_CONTEXT, { traceparent: `00-${TRACE}-${SPAN}-01` });
    const server = tracing.startSpan('GET', SpanKind.SERVER, {}, remote);
    expect(server.isRecording()).toBe(true);
    const child = childOf(tracing, server);
    expect(child).not.toBe(server);
    expect(child.isRecording()).toBe(true);
    expect(child.spanContext().traceId).toBe(TRACE);
    // A recorded span that has ended is not recording any more, but is still sampled.
    server.end();
    expect(server.isRecording()).toBe(false);
    expect(tracing.unrecordedParentIn(trace.setSpan(ROOT_CONTEXT, server))).toBeUndefined();
    child.end();
    await tracing.shutdown();
  });

  it("always asks a host's provider, whose sampler may record a child of an unrecorded span", () => {
    const exporter = new InMemorySpanExporter();
    const host = new BasicTracerProvider({
      sampler: new AlwaysOffSampler(),
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    });
    const tracing = BffTracing.fromProvider(host);
    const server = tracing.startSpan('GET', SpanKind.SERVER, {}, ROOT_CONTEXT);
    expect(server.isRecording()).toBe(false);
    expect(tracing.unrecordedParentIn(trace.setSpan(ROOT_CONTEXT, server))).toBeUndefined();
    const child = childOf(tracing, server);
    expect(child).not.toBe(server);
    expect(child.spanContext().traceId).toBe(server.spanContext().traceId);
  });
});

describe('BffTracing.inSpan', () => {
  it('makes the span active while the work runs and ends it', async () => {
    const { tracing, exporter } = inMemory();
    const seen = await tracing.inSpan('work', { 'bff.thing': 1 }, () =>
      Promise.resolve(trace.getSpan(context.active())?.spanContext().spanId),
    );
    const [span] = exporter.getFinishedSpans();
    expect(span?.spanContext().spanId).toBe(seen);
    expect(span?.kind).toBe(SpanKind.INTERNAL);
    expect(span?.attributes).toEqual({ 'bff.thing': 1 });
  });

  it('marks a failure as an error and rethrows it', async () => {
    const { tracing, exporter } = inMemory();
    await expect(tracing.inSpan('work', {}, () => Promise.reject(new RangeError('no')))).rejects.toThrow('no');
    const [span] = exporter.getFinishedSpans();
    expect(span?.status.code).toBe(SpanStatusCode.ERROR);
    expect(span?.attributes['error.type']).toBe('RangeError');
  });

  it('just runs the work when tracing is off', async () => {
    await expect(BffTracing.OFF.inSpan('work', {}, (span) => Promise.resolve(span))).resolves.toBeUndefined();
  });
});
