import type { TracingConfig } from '@bff/config';
import {
  context,
  SpanKind,
  SpanStatusCode,
  trace,
  TraceFlags,
  type Attributes,
  type Context,
  type Span,
  type Tracer,
  type TracerProvider,
} from '@opentelemetry/api';

/** The instrumentation scope of every span the BFF makes. */
export const TRACER_NAME = 'nest-bff';

/** Where the BFF's spans go: nowhere, its own exporter, or the tracer provider the host registered. */
export type TracingMode = 'off' | 'own' | 'host';

/** Where spans are posted: the signal URL as is, or the base URL with `/v1/traces` (OTLP spec). */
export function tracesUrlOf(config: Pick<TracingConfig, 'endpoint' | 'tracesEndpoint'>): string | undefined {
  if (config.tracesEndpoint !== undefined) return config.tracesEndpoint;
  if (config.endpoint === undefined) return undefined;
  return `${config.endpoint.replace(/\/+$/, '')}/v1/traces`;
}

/** Tracing is on exactly when an exporter endpoint is configured. */
export function tracingEnabled(config: Pick<TracingConfig, 'endpoint' | 'tracesEndpoint'>): boolean {
  return tracesUrlOf(config) !== undefined;
}

/** Whether someone (a host running its own OpenTelemetry SDK) registered a global tracer provider. */
function hostTracerProviderRegistered(): boolean {
  const global = trace.getTracerProvider() as TracerProvider & { getDelegate?: () => TracerProvider };
  // Unregistered, the API hands out a proxy provider whose delegate is its no-op provider.
  const delegate = global.getDelegate?.() ?? global;
  return delegate.constructor.name !== 'NoopTracerProvider';
}

interface OwnProvider {
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

/**
 * The BFF's tracer. Off (no exporter endpoint), `enabled` is false and is the one boolean the
 * hot paths check: no SDK is loaded, no span and no context object is made. On, spans go to
 * the host's global tracer provider if one is registered (its exporter, sampler and resource),
 * otherwise to a provider of the BFF's own that exports OTLP/HTTP as configured and is
 * deliberately not registered globally, so that several BFF instances in one process (tests)
 * and a host's own instrumentation never take each other's spans.
 */
export class BffTracing {
  /** Tracing off. */
  static readonly OFF = new BffTracing('off');

  readonly enabled: boolean;

  private constructor(
    readonly mode: TracingMode,
    private readonly tracer?: Tracer,
    private readonly provider?: OwnProvider,
  ) {
    this.enabled = mode !== 'off';
  }

  /** Tracing as configured: off without an exporter endpoint. */
  static start(config: TracingConfig): BffTracing {
    const url = tracesUrlOf(config);
    if (url === undefined) return BffTracing.OFF;
    // Loaded here, not at the top: a BFF with tracing off never loads the SDK.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const sdk = require('./sdk') as typeof import('./sdk');
    sdk.useAsyncLocalStorageContext();
    if (hostTracerProviderRegistered()) return new BffTracing('host', trace.getTracer(TRACER_NAME));
    const provider = sdk.ownTracerProvider(config, url);
    return new BffTracing('own', provider.getTracer(TRACER_NAME), provider);
  }

  /**
   * Tracing into a given provider (a test's in-memory exporter, or a host that hands the BFF
   * a provider rather than registering one globally). The provider is the caller's to stop.
   */
  static fromProvider(provider: TracerProvider): BffTracing {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    (require('./sdk') as typeof import('./sdk')).useAsyncLocalStorageContext();
    return new BffTracing('host', provider.getTracer(TRACER_NAME));
  }

  /**
   * A span under `parent` (the active context by default). Call only when {@link enabled}:
   * the hot paths check that boolean first, so that no argument is even built when off.
   */
  startSpan(
    name: string,
    kind: SpanKind,
    attributes: Attributes,
    parent: Context = context.active(),
    startTime?: number,
  ): Span {
    return (
      this.unrecordedParentIn(parent) ??
      (this.tracer as Tracer).startSpan(name, { kind, attributes, startTime }, parent)
    );
  }

  /**
   * The span a child under `parent` would stand in for when the BFF's own sampler is sure to
   * drop the child: the parent's own span, when it is local and unrecorded. No sampler that
   * OTEL_TRACES_SAMPLER names records a child of such a span (the parent-based ones follow it,
   * `always_off` records nothing, `traceidratio` decides on the trace id the two share, and
   * `always_on` would have recorded the parent), so asking the SDK would only buy another
   * unrecorded span with ids of its own, which every request of a sampled-out trace paid for.
   * A host's sampler may decide otherwise, so its provider is always asked.
   */
  unrecordedParentIn(parent: Context): Span | undefined {
    if (this.mode !== 'own') return undefined;
    const span = trace.getSpan(parent);
    if (span === undefined || span.isRecording()) return undefined;
    const { isRemote, traceFlags } = span.spanContext();
    return isRemote !== true && (traceFlags & TraceFlags.SAMPLED) === 0 ? span : undefined;
  }

  /** Runs `work` inside an INTERNAL span (active while it runs); without tracing, just runs it. */
  async inSpan<T>(name: string, attributes: Attributes, work: (span?: Span) => Promise<T>): Promise<T> {
    if (!this.enabled) return work();
    const span = this.startSpan(name, SpanKind.INTERNAL, attributes);
    try {
      return await context.with(trace.setSpan(context.active(), span), () => work(span));
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR });
      span.setAttribute('error.type', error instanceof Error ? error.name : 'Error');
      throw error;
    } finally {
      span.end();
    }
  }

  /** Exports the spans ended so far (own provider; the host flushes its own). */
  async flush(): Promise<void> {
    await this.provider?.forceFlush();
  }

  /** Flushes and stops the BFF's own provider; a host's provider is the host's to stop. */
  async shutdown(): Promise<void> {
    await this.provider?.shutdown();
  }
}
