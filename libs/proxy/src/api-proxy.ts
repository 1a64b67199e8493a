import { Injectable, Logger } from '@nestjs/common';
import replyFrom, { type FastifyReplyFromHooks } from '@fastify/reply-from';
import { assertCsrfHeader } from '@bff/auth';
import { BffConfig, type UpstreamRoute } from '@bff/config';
import { describeChain, SessionRequiredError, toErrorResponse } from '@bff/errors';
import { BffMetrics } from '@bff/metrics';
import { SessionCookies, SessionService, type OpenedSession } from '@bff/session';
import { TokenRefresher } from '@bff/token';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { BodyLimit } from './body-limit';
import { browserResponseHeaders, upstreamRequestHeaders } from './forwarded-headers';
import {
  BodyTooLargeError,
  MethodNotAllowedError,
  UnknownRouteError,
  UpstreamTimeoutError,
  UpstreamUnavailableError,
} from './proxy.errors';
import { upstreamPathOf } from './upstream-path';

/** What the checks in preHandler hand to the forwarding handler. */
interface ProxyState {
  path: string;
  query: string;
  accessToken?: string;
  bodyLimit?: BodyLimit;
  /** performance.now() when forwarding began, for the upstream duration metric. */
  startedAt: number;
}

declare module 'fastify' {
  interface FastifyRequest {
    bffProxy?: ProxyState;
  }
}

const BODYLESS = new Set(['GET', 'HEAD', 'OPTIONS', 'DELETE']);

/**
 * `ANY /api/<route>/<path>`: a plain Fastify plugin (Nest's JSON parser would
 * buffer bodies) with one @fastify/reply-from pool per route, so bodies stream
 * both ways over kept-alive upstream connections. Checks run in DESIGN.md's
 * order: unknown route 404, CSRF 403, session 401, path 400, body 413.
 */
@Injectable()
export class ApiProxy {
  private readonly logger = new Logger(ApiProxy.name);
  private readonly publicUrl: URL;
  private readonly config: BffConfig['proxy'];
  private readonly trustProxy: boolean;

  constructor(
    bffConfig: BffConfig,
    private readonly sessions: SessionService,
    private readonly cookies: SessionCookies,
    private readonly refresher: TokenRefresher,
    private readonly metrics: BffMetrics,
  ) {
    this.config = bffConfig.proxy;
    this.trustProxy = bffConfig.server.trustProxy;
    this.publicUrl = new URL(bffConfig.server.publicUrl);
  }

  /** The plugin to register on the Fastify instance before the app starts listening. */
  readonly plugin = async (fastify: FastifyInstance): Promise<void> => {
    for (const route of this.config.routes) {
      await fastify.register(async (scope) => {
        await this.registerRoute(scope, route);
      });
    }
    await fastify.register((scope, _options, done) => {
      scope.setErrorHandler(this.renderError);
      scope.all('/api/*', () => {
        throw new UnknownRouteError();
      });
      scope.all('/api', () => {
        throw new UnknownRouteError();
      });
      done();
    });
  };

  private async registerRoute(scope: FastifyInstance, route: UpstreamRoute): Promise<void> {
    const upstream = new URL(route.upstream);
    await scope.register(replyFrom, {
      base: upstream.origin,
      undici: {
        connections: 128,
        pipelining: 1,
        keepAliveTimeout: 60_000,
        connect: { timeout: Math.min(route.timeoutMs, 10_000) },
      },
      disableRequestLogging: true,
    });
    // Bodies stay unparsed streams; the handler forwards them as they arrive.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, payload, done) => {
      done(null, payload);
    });
    scope.setErrorHandler(this.renderError);
    const prefix = `/api/${route.name}`;
    const forwarding = this.forwardOptions(route);
    const options = {
      preHandler: (request: FastifyRequest) => this.check(request, route, prefix.length, upstream.pathname),
      handler: (request: FastifyRequest, reply: FastifyReply) => {
        const state = request.bffProxy as ProxyState;
        state.startedAt = performance.now();
        void reply.from(state.path, forwarding);
      },
    };
    scope.all(prefix, options);
    scope.all(`${prefix}/*`, options);
  }

  private async check(
    request: FastifyRequest,
    route: UpstreamRoute,
    prefixLength: number,
    basePath: string,
  ): Promise<void> {
    if (route.methods && !route.methods.includes(request.method)) throw new MethodNotAllowedError();
    assertCsrfHeader(request.headers);
    let session: OpenedSession | undefined;
    if (route.token !== 'none') {
      session = await this.sessions.open(request.cookies[this.cookies.sessionName]);
      if (!session && route.token === 'user') throw new SessionRequiredError();
    }
    const { path, query } = upstreamPathOf(request.url, prefixLength, basePath);
    const state: ProxyState = { path, query, startedAt: 0 };
    this.limitBody(request, state);
    if (session) state.accessToken = (await this.refresher.ensureFresh(session)).record.tokens.accessToken;
    request.bffProxy = state;
  }

  private limitBody(request: FastifyRequest, state: ProxyState): void {
    const limit = this.config.bodyLimitBytes;
    const declared = request.headers['content-length'];
    if (declared !== undefined && Number(declared) > limit) throw new BodyTooLargeError(limit);
    const hasBody = declared !== undefined ? Number(declared) > 0 : request.headers['transfer-encoding'] !== undefined;
    if (!hasBody || BODYLESS.has(request.method)) return;
    if (declared !== undefined) {
      // Node's parser holds a request to its Content-Length, so the raw stream cannot exceed it.
      request.body = request.raw;
      return;
    }
    state.bodyLimit = new BodyLimit(limit);
    request.body = request.raw.pipe(state.bodyLimit);
  }

  /**
   * The reply-from options of one route, built once: every callback reads the
   * request's own state from the request it is given, so nothing is allocated
   * per request on the hot path.
   */
  private forwardOptions(route: UpstreamRoute): FastifyReplyFromHooks {
    const duration = this.metrics.upstreamDuration.labels(route.name);
    const counters = new Map<number, { inc(): void }>();
    const count = (request: { bffProxy?: ProxyState }, status: number): void => {
      const state = request.bffProxy as ProxyState;
      duration.observe((performance.now() - state.startedAt) / 1000);
      let counter = counters.get(status);
      if (!counter) {
        counter = this.metrics.upstreamRequests.labels(route.name, String(status));
        counters.set(status, counter);
      }
      counter.inc();
    };
    const publicProto = this.publicUrl.protocol.slice(0, -1);
    const publicHost = this.publicUrl.host;
    return {
      timeout: route.timeoutMs,
      queryString: (_search, _url, request) => (request.bffProxy as ProxyState).query,
      // reply-from retries GETs on an upstream 503 by default; the browser should see the 503 as it is.
      retryDelay: () => null,
      rewriteRequestHeaders: (request, headers) =>
        upstreamRequestHeaders(headers, {
          clientIp: request.socket.remoteAddress ?? '',
          priorForwardedFor: this.trustProxy ? (request.headers['x-forwarded-for'] as string | undefined) : undefined,
          publicProto,
          publicHost,
          accessToken: (request.bffProxy as ProxyState).accessToken,
        }),
      rewriteHeaders: (headers) => browserResponseHeaders(headers),
      onResponse: (request, reply, response) => {
        count(request, response.statusCode);
        void reply.send((response as unknown as { stream: NodeJS.ReadableStream }).stream);
      },
      onError: (anyReply, { error }) => {
        const reply = anyReply as unknown as FastifyReply;
        const request = reply.request;
        if ((request.bffProxy as ProxyState).bodyLimit?.exceeded) {
          count(request, 413);
          this.renderError(new BodyTooLargeError(this.config.bodyLimitBytes), request, reply);
          return;
        }
        const status = (error as { statusCode?: number }).statusCode;
        const mapped = status === 504 ? new UpstreamTimeoutError(error) : new UpstreamUnavailableError(error);
        count(request, mapped.status);
        this.renderError(mapped, request, reply);
      },
    };
  }

  private readonly renderError = (error: unknown, request: FastifyRequest, reply: FastifyReply): void => {
    const { status, body } = toErrorResponse(error);
    const line = `${request.method} /api/… -> ${String(status)} ${body.error}`;
    if (status >= 500) this.logger.error(`${line}: ${describeChain(error)}`);
    else if (body.error === 'session_required') this.logger.debug(line);
    else this.logger.warn(line);
    if (reply.sent) return;
    // An unread request body (refused early, e.g. 413) would leave the connection unusable: close it.
    if (!request.raw.complete) void reply.header('connection', 'close');
    void reply.code(status).header('cache-control', 'no-store').type('application/json; charset=utf-8').send(body);
  };
}
