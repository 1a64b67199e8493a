// The SDK half of tracing, required only once tracing is on (BffTracing.start in tracing.ts), so
// that a BFF without an exporter endpoint never loads it. Nothing else may import this file.
import type { TracingConfig } from '@bff/config';
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPTraceExporter as OtlpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPExporterBase } from '@opentelemetry/otlp-exporter-base';
import { convertLegacyHttpOptions, createOtlpHttpExportDelegate } from '@opentelemetry/otlp-exporter-base/node-http';
import { TraceExporterMetricsHelper } from '@opentelemetry/otlp-transformer';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BasicTracerProvider,
  BatchSpanProcessor,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  type ReadableSpan,
  type Sampler,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import { fastProtobufTraceSerializer } from './otlp-protobuf';

/**
 * Makes `context.active()` follow async calls (AsyncLocalStorage). A context manager a host
 * registered first is kept (the call is then a no-op); ours stays for the life of the process,
 * since every BFF instance in it shares the one global context API.
 */
export function useAsyncLocalStorageContext(): void {
  const manager = new AsyncLocalStorageContextManager();
  if (context.setGlobalContextManager(manager)) manager.enable();
}

/** OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG as the SDK's sampler. */
export function samplerOf(config: Pick<TracingConfig, 'sampler' | 'samplerArg'>): Sampler {
  const ratio = new TraceIdRatioBasedSampler(Number(config.samplerArg));
  switch (config.sampler) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return ratio;
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: ratio });
  }
}

/**
 * The SDK's OTLP/HTTP protobuf exporter, as `@opentelemetry/exporter-trace-otlp-proto` builds it
 * (the same `OTEL_EXPORTER_OTLP_*` settings, headers, timeout, compression, retries and
 * self-metrics), with the serializer of otlp-protobuf.ts in place of the SDK's own.
 */
export function otlpProtobufExporter(url: string): SpanExporter {
  // What the SDK's own exporter calls; the functions it wraps are not exported (0.223).
  // eslint-disable-next-line @typescript-eslint/no-deprecated
  const options = convertLegacyHttpOptions({ url }, 'TRACES', 'v1/traces', {
    'Content-Type': 'application/x-protobuf',
  });
  return new OTLPExporterBase<ReadableSpan[]>(
    createOtlpHttpExportDelegate(
      options,
      fastProtobufTraceSerializer,
      // The component type the SDK's exporter reports its self-metrics under (its semconv, not exported).
      'otlp_http_span_exporter',
      TraceExporterMetricsHelper,
      undefined,
    ),
  );
}

/** A tracer provider of the BFF's own: batched OTLP/HTTP export, not registered globally. */
export function ownTracerProvider(config: TracingConfig, url: string): BasicTracerProvider {
  const exporter = config.protocol === 'http/json' ? new OtlpJsonExporter({ url }) : otlpProtobufExporter(url);
  return new BasicTracerProvider({
    resource: defaultResource().merge(resourceFromAttributes({ 'service.name': config.serviceName })),
    sampler: samplerOf(config),
    spanProcessors: [new BatchSpanProcessor(exporter)],
  });
}
