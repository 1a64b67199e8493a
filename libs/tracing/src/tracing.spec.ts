import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
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
