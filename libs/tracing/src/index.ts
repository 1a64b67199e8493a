export {
  endClientSpan,
  endServerSpan,
  methodAttribute,
  pathOf,
  startClientSpan,
  startServerSpan,
  type CallUrl,
  type ServerOutcome,
  type ServerSpan,
  type ServerSpanRequest,
} from './http-spans';
export { tracedFetch, type FetchCallDescription, type TracedFetchOptions } from './traced-fetch';
export {
  activeTraceIds,
  contextWithRemoteParent,
  remoteParentOf,
  traceHeadersOf,
  type TraceHeaders,
} from './traceparent';
export { BffTracing, TRACER_NAME, tracesUrlOf, tracingEnabled, type TracingMode } from './tracing';
export { TracingModule } from './tracing.module';
