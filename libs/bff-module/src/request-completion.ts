import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyRequest } from 'fastify';

/** The route of a request no route matched: unknown paths, and answers given before routing. */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * The status logged and counted when the connection closed before any status was written
 * (nginx's "client closed request"); such a request is also marked `aborted`.
 */
export const CLOSED_BEFORE_ANSWER = 499;

/** The method of a request Node could not parse, and the id of one no id was given. */
export const UNKNOWN = '-';

/**
 * One answered request, exactly as the access log writes it and the HTTP metrics count it.
 * `route` is the pattern the request matched, never its URL: a query may carry an
 * authorization code or a state.
 */
export interface CompletedRequest {
  reqId: string;
  method: string;
  route: string;
  status: number;
  durationMs: number;
  /** The connection closed before the response was complete; `status` is what was written, if anything. */
  aborted?: true;
  /** The request's trace and SERVER span (W3C hex ids), only when tracing is on. */
  trace_id?: string;
  span_id?: string;
}

export type CompletionListener = (completed: CompletedRequest) => void;

/**
 * The seam tracing hangs the SERVER span of each request on (see request-tracing.ts); absent
 * when tracing is off, so a request then costs no more than one check of it.
 */
export interface RequestSpans {
  /** A request arrived: its span starts. */
  start(request: IncomingMessage, response: ServerResponse): void;
  /** Runs `handle` (the request's handling) inside the request's span. */
  within(request: IncomingMessage, handle: () => void): void;
  /** The request completed: `notify` tells the listeners, then the span ends. */
  finish(request: IncomingMessage | undefined, completed: CompletedRequest, notify: CompletionListener): void;
}

const FASTIFY_REQUEST = Symbol('bff:fastify-request');
const STARTED_AT = Symbol('bff:started-at');

/** The raw request, with when it was first seen, and the Fastify request once routing has seen it. */
type RoutedMessage = IncomingMessage & { [STARTED_AT]?: number; [FASTIFY_REQUEST]?: FastifyRequest };

/** Milliseconds to the microsecond: enough for a log line, no float noise. */
function roundMs(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

/**
 * The one place that decides when a request is complete and how it is described: every
 * answer of the BFF, whoever writes it (Fastify, the proxy on the hijacked raw response, the
 * HTTP edge, Node's client-error path, a WebSocket upgrade), is reported here exactly once.
 */
export class RequestCompletions {
  private readonly listeners: CompletionListener[] = [];

  constructor(private readonly spans?: RequestSpans) {}

  /** Adds a consumer (the HTTP metrics, the access log). */
  listen(listener: CompletionListener): void {
    this.listeners.push(listener);
  }

  /**
   * Reports an answer written outside any response object (client errors, upgrades, CONNECT),
   * with the request when there is one (its `traceparent` is continued).
   */
  report(completed: CompletedRequest, request?: IncomingMessage): void {
    if (this.spans) this.spans.finish(request, completed, this.notify);
    else this.notify(completed);
  }

  /** Runs the handling of a watched request (the server's own listeners): inside its span when tracing. */
  handle(
    request: IncomingMessage,
    response: ServerResponse,
    next: (request: IncomingMessage, response: ServerResponse) => void,
  ): void {
    if (this.spans) {
      this.spans.within(request, () => {
        next(request, response);
      });
    } else next(request, response);
  }

  private readonly notify = (completed: CompletedRequest): void => {
    for (const listener of this.listeners) listener(completed);
  };

  /**
   * Watches one request of an HTTP server from the moment Node hands it over. A response's
   * `close` comes once, after it finished or when the connection went first, so hijacked
   * responses and aborted ones are seen like any other.
   */
  watch(request: IncomingMessage, response: ServerResponse): void {
    (request as RoutedMessage)[STARTED_AT] = performance.now();
    this.spans?.start(request, response);
    // `on`, not `once`: the response is dropped after its one close, and `once` costs a wrapper.
    response.on('close', () => {
      this.completed(request, response);
    });
  }

  /**
   * Lets {@link watch} name the route and request id Fastify gave a request. Registered
   * first, so that it runs before any hook that may answer early.
   */
  registerRouting(fastify: FastifyInstance): void {
    fastify.addHook('onRequest', (request, reply, done) => {
      const raw = request.raw as RoutedMessage;
      raw[FASTIFY_REQUEST] = request;
      // A request of a server the HTTP edge never saw (a host's own, or Fastify's second loopback
      // server should takeOverLoopbackBindings not find it) is watched from here.
      if (raw[STARTED_AT] === undefined) {
        this.watch(raw, reply.raw);
        if (this.spans) {
          this.spans.within(raw, done);
          return;
        }
      }
      done();
    });
  }

  private completed(request: RoutedMessage, response: ServerResponse): void {
    const routed = request[FASTIFY_REQUEST];
    // Read once the request is over: a request sent to the not-found handler ends unmatched.
    const route = routed?.routeOptions.url;
    const completed: CompletedRequest = {
      reqId: routed?.id ?? String(response.getHeader('x-request-id') ?? UNKNOWN),
      method: request.method ?? UNKNOWN,
      route: route ?? UNMATCHED_ROUTE,
      status: response.headersSent ? response.statusCode : CLOSED_BEFORE_ANSWER,
      durationMs: roundMs(performance.now() - (request[STARTED_AT] ?? 0)),
    };
    if (!response.writableFinished) completed.aborted = true;
    this.report(completed, request);
  }
}

/** The fields of a completion for an answer written on a raw socket. */
export function rawCompletion(
  reqId: string,
  method: string,
  route: string,
  status: number,
  startedAt: number,
): CompletedRequest {
  return { reqId, method, route, status, durationMs: roundMs(performance.now() - startedAt) };
}
