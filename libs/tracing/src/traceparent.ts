import type { IncomingHttpHeaders } from 'node:http';
import {
  context,
  createTraceState,
  isSpanContextValid,
  TraceFlags,
  trace,
  type Context,
  type SpanContext,
} from '@opentelemetry/api';

/**
 * W3C Trace Context level 1, version 00 only, lowercase hex as the spec writes it. Anything
 * else (another version, uppercase, extra fields, two headers joined by Node with ", ") is
 * not a parent: the request starts a trace of its own.
 */
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** The `traceparent` / `tracestate` pair the BFF sends to an upstream or to the IdP. */
export interface TraceHeaders {
  traceparent: string;
  tracestate?: string;
}

/**
 * The remote parent an incoming request names in `traceparent` (and `tracestate`), or
 * undefined when it names none or a malformed one (all-zero ids included). Never throws.
 */
export function remoteParentOf(headers: IncomingHttpHeaders): SpanContext | undefined {
  const value = headers.traceparent;
  if (typeof value !== 'string') return undefined;
  const match = TRACEPARENT.exec(value);
  if (!match) return undefined;
  const [, traceId = '', spanId = '', flags = ''] = match;
  const parent: SpanContext = {
    traceId,
    spanId,
    traceFlags: Number.parseInt(flags, 16) & TraceFlags.SAMPLED,
    isRemote: true,
  };
  if (!isSpanContextValid(parent)) return undefined;
  const state = headers.tracestate;
  // tracestate without a valid traceparent means nothing (W3C Trace Context §3.3); createTraceState
  // drops malformed members and anything past 32 members or 512 characters.
  if (typeof state === 'string' && state !== '') parent.traceState = createTraceState(state);
  return parent;
}

/** `parent` with the incoming request's remote parent set, when it has a valid one. */
export function contextWithRemoteParent(parent: Context, headers: IncomingHttpHeaders): Context {
  const remote = remoteParentOf(headers);
  return remote ? trace.setSpanContext(parent, remote) : parent;
}

/** The W3C headers that make `spanContext` the parent of the receiver's spans. */
export function traceHeadersOf(spanContext: SpanContext): TraceHeaders {
  const flags = spanContext.traceFlags & TraceFlags.SAMPLED ? '01' : '00';
  const headers: TraceHeaders = { traceparent: `00-${spanContext.traceId}-${spanContext.spanId}-${flags}` };
  const state = spanContext.traceState?.serialize();
  if (state) headers.tracestate = state;
  return headers;
}

/**
 * `trace_id` and `span_id` of the span active where a log line is written, if any: the pino
 * mixin of a BFF that traces. A line that carries both of its own (the access line of a traced
 * request) needs nothing from it.
 */
export function activeTraceIds(): { trace_id?: string; span_id?: string } {
  const span = trace.getSpan(context.active());
  if (span === undefined) return {};
  const { traceId, spanId } = span.spanContext();
  return { trace_id: traceId, span_id: spanId };
}
