import type { IncomingMessage } from 'node:http';
import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
} from '@opentelemetry/api';
import { contextWithRemoteParent } from './traceparent';
import type { BffTracing } from './tracing';

/**
 * Spans of HTTP exchanges with the attributes of the OpenTelemetry HTTP semantic conventions
 * (stable since 1.23). Only what cannot carry a secret is recorded: the method, the path
 * without its query (an OAuth callback's query holds `code` and `state`), the route pattern,
 * the status; never a header, a cookie or a token.
 */

const KNOWN_METHODS = new Set(['CONNECT', 'DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT', 'TRACE']);

/** `http.request.method`: a known method, or `_OTHER` (the conventions keep the set bounded). */
export function methodAttribute(method: string | undefined): string {
  return method !== undefined && KNOWN_METHODS.has(method) ? method : '_OTHER';
}

/** A request target without its query or fragment. */
export function pathOf(target: string): string {
  const end = target.search(/[?#]/);
  return end === -1 ? target : target.slice(0, end);
}

/** A SERVER span and the context it is active in. */
export interface ServerSpan {
  span: Span;
  context: Context;
}

/** What a SERVER span is made from: a request as Node parsed it, or what is known of an unparseable one. */
export type ServerSpanRequest = Pick<IncomingMessage, 'headers'> &
  Partial<Pick<IncomingMessage, 'method' | 'url' | 'httpVersion'>>;

/**
 * The SERVER span of one incoming request, named `<METHOD>` until its route is known. An
 * incoming W3C `traceparent` is its parent; a missing or malformed one starts a new trace.
 */
export function startServerSpan(
  tracing: BffTracing,
  request: ServerSpanRequest,
  scheme: string,
  startTime?: number,
): ServerSpan {
  const method = methodAttribute(request.method);
  const parent = contextWithRemoteParent(ROOT_CONTEXT, request.headers);
  const attributes: Attributes = { 'http.request.method': method, 'url.scheme': scheme };
  if (request.url !== undefined) attributes['url.path'] = pathOf(request.url);
  if (request.httpVersion !== undefined) attributes['network.protocol.version'] = request.httpVersion;
  const span = tracing.startSpan(method, SpanKind.SERVER, attributes, parent, startTime);
  return { span, context: trace.setSpan(parent, span) };
}

/** How a request ended, as the access log has it. */
export interface ServerOutcome {
  method: string;
  /** The route pattern, or undefined for a request no route matched. */
  route: string | undefined;
  /** The route as the access log writes it (`unmatched` when none): the span's name uses it. */
  routeName: string;
  status: number;
  aborted: boolean;
}

/** Names the SERVER span `<METHOD> <route pattern>`, records the outcome and ends it. */
export function endServerSpan(span: Span, outcome: ServerOutcome): void {
  span.updateName(`${outcome.method} ${outcome.routeName}`);
  if (outcome.route !== undefined) span.setAttribute('http.route', outcome.route);
  if (outcome.aborted) span.setAttribute('bff.request.aborted', true);
  else span.setAttribute('http.response.status_code', outcome.status);
  // A 4xx is the client's doing: the SERVER span's status stays unset (HTTP conventions).
  if (outcome.status >= 500) {
    span.setAttribute('error.type', String(outcome.status));
    span.setStatus({ code: SpanStatusCode.ERROR });
  }
  span.end();
}

/** What a CLIENT span reads of the URL of a call: a `URL`, or the same parts known without parsing one. */
export type CallUrl = Pick<URL, 'protocol' | 'hostname' | 'port' | 'origin' | 'pathname'>;

/**
 * A CLIENT span for a call to `url` (its query is never recorded), under `parent`.
 * `attributes` adds what names the call (the proxy route, the OAuth operation).
 */
export function startClientSpan(
  tracing: BffTracing,
  name: string,
  method: string,
  url: CallUrl,
  attributes: Attributes,
  parent?: Context,
): Span {
  const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
  return tracing.startSpan(
    name,
    SpanKind.CLIENT,
    {
      'http.request.method': methodAttribute(method),
      'server.address': url.hostname,
      'server.port': port,
      'url.full': `${url.origin}${pathOf(url.pathname)}`,
      ...attributes,
    },
    parent,
  );
}

/** Records a CLIENT call's status (4xx and 5xx are errors for a client) or its failure, and ends it. */
export function endClientSpan(span: Span, status: number | undefined, error?: Error): void {
  if (status !== undefined) span.setAttribute('http.response.status_code', status);
  if (error !== undefined) {
    span.setAttribute('error.type', error.name);
    span.setStatus({ code: SpanStatusCode.ERROR });
  } else if (status !== undefined && status >= 400) {
    span.setAttribute('error.type', String(status));
    span.setStatus({ code: SpanStatusCode.ERROR });
  }
  span.end();
}
