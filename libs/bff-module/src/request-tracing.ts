import type { IncomingMessage } from 'node:http';
import { context } from '@opentelemetry/api';
import { endServerSpan, startServerSpan, type BffTracing, type ServerSpan } from '@bff/tracing';
import {
  UNMATCHED_ROUTE,
  type CompletedRequest,
  type CompletionListener,
  type RequestSpans,
} from './request-completion';

const SERVER_SPAN = Symbol('bff:server-span');

/** A request's SERVER span, and its own `emit` (bound) from before the span's context was wrapped round it. */
interface RequestSpan extends ServerSpan {
  emit: IncomingMessage['emit'];
}

type TracedMessage = IncomingMessage & { [SERVER_SPAN]?: RequestSpan };

/**
 * The SERVER span of every request, hung on {@link RequestCompletions}: started when Node hands
 * the request over, active while the BFF handles it (so the proxy's, the IdP's and the refresh
 * lock's spans are its children), and ended when the request completes, named
 * `<METHOD> <route pattern>` as the access log names the route. Made only when tracing is on.
 */
export class RequestTracing implements RequestSpans {
  constructor(
    private readonly tracing: BffTracing,
    /** `url.scheme`: the scheme browsers use (BFF_PUBLIC_URL), not that of a proxy's hop. */
    private readonly scheme: string,
  ) {}

  /** Starts the span; the request's event listeners run in its context too. */
  start(request: IncomingMessage): void {
    const emit = request.emit.bind(request);
    const server = { ...startServerSpan(this.tracing, request, this.scheme), emit };
    (request as TracedMessage)[SERVER_SPAN] = server;
    // A request body arrives in 'data' events, emitted from the socket's context, not ours, and
    // Fastify hands a parsed body on from its 'end' listener. So the request's events are emitted
    // in its span: one wrapper around `emit`, where `context.bind` would patch eight methods and wrap
    // every listener (a cost on every request, body or not). The response needs no binding: its
    // listeners only end things, and `finish` runs the completion listeners in the span itself.
    request.emit = ((...args: Parameters<IncomingMessage['emit']>) =>
      context.with(server.context, emit, undefined, ...args)) as IncomingMessage['emit'];
  }

  /** Runs the handling of a request inside its span's context. */
  within(request: IncomingMessage, handle: () => void): void {
    const server = (request as TracedMessage)[SERVER_SPAN];
    if (server) context.with(server.context, handle);
    else handle();
  }

  /**
   * Ends the request's span, after `notify` told the listeners inside its context (so their
   * log lines carry its ids), and puts `trace_id` / `span_id` on the completion. An answer
   * written on a raw socket (an unparseable request, CONNECT, a WebSocket upgrade) gets a
   * span of its duration now, continuing the `traceparent` it carried, if any.
   */
  finish(request: IncomingMessage | undefined, completed: CompletedRequest, notify: CompletionListener): void {
    const started = request === undefined ? undefined : (request as TracedMessage)[SERVER_SPAN];
    const server =
      started ??
      startServerSpan(
        this.tracing,
        request ?? { headers: {}, method: completed.method },
        this.scheme,
        Date.now() - completed.durationMs,
      );
    // What the request still emits once answered (its unread body drained, its `close`) has
    // nothing left to do in the span: it gets its own `emit` back, and each of those events one
    // context switch fewer (two on every request that completes).
    if (request !== undefined && started !== undefined) request.emit = started.emit;
    const { traceId, spanId } = server.span.spanContext();
    completed.trace_id = traceId;
    completed.span_id = spanId;
    context.with(server.context, notify, undefined, completed);
    endServerSpan(server.span, {
      method: completed.method,
      route: completed.route === UNMATCHED_ROUTE ? undefined : completed.route,
      routeName: completed.route,
      status: completed.status,
      aborted: completed.aborted === true,
    });
  }
}
