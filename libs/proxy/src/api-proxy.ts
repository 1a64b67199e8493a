import { Injectable, Logger } from '@nestjs/common';
import { allowedOriginsOf, assertBrowserRequest, assertStepUp } from '@bff/auth';
import { API_METHODS, BffConfig, type UpstreamRoute } from '@bff/config';
import { describeChain, toErrorResponse } from '@bff/errors';
import { BffMetrics } from '@bff/metrics';
import { RequestSessions, type OpenedSession } from '@bff/session';
import { RouteTokens, type RouteCredential, type SessionNeed } from '@bff/token';
import { BffTracing } from '@bff/tracing';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Pool } from 'undici';
import { proxiedBodyOf } from './proxied-body';
import { MethodNotAllowedError, UnknownRouteError } from './proxy.errors';
import { forwardUpstream, type ProxyState, type RouteForwarding, type RoutePools } from './upstream-forwarding';
import type { RouteLocation } from './upstream-location';
import { UpstreamProofs } from './upstream-proofs';
import { upstreamPathOf } from './upstream-path';

/**
 * `ANY /api/<route>/<path>`: a plain Fastify plugin (Nest's JSON parser would
 * buffer bodies) with one undici pool of kept-alive upstream connections per
 * route; bodies stream both ways (see UpstreamExchange). undici directly, not
 * @fastify/reply-from: bench:proxy measured the generic proxy's per-request
 * streams and closures as most of the BFF's cost beyond the two sockets.
 * Checks run in the HTTP contract's order (docs/architecture.md): unknown route
 * 404, method 405, CSRF and cross-site 403, session 401, path 400, body 400/413.
 */
@Injectable()
export class ApiProxy {
  private readonly logger = new Logger(ApiProxy.name);
  private readonly proofs = new UpstreamProofs();
  private readonly publicUrl: URL;
  private readonly config: BffConfig['proxy'];
  private readonly trustProxy: boolean;
  private readonly allowedOrigins: ReadonlySet<string>;

  constructor(
    bffConfig: BffConfig,
    private readonly sessions: RequestSessions,
    private readonly tokens: RouteTokens,
    private readonly metrics: BffMetrics,
    private readonly tracing: BffTracing,
  ) {
    this.config = bffConfig.proxy;
    this.trustProxy = bffConfig.server.trustProxy;
    this.allowedOrigins = allowedOriginsOf(bffConfig.server);
    this.publicUrl = new URL(bffConfig.server.publicUrl);
  }

  /** The plugin to register on the Fastify instance before the app starts listening. */
  readonly plugin = async (fastify: FastifyInstance): Promise<void> => {
    for (const route of this.config.routes) {
      await fastify.register((scope, _options, done) => {
        this.registerRoute(scope, route);
        done();
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

  private registerRoute(scope: FastifyInstance, route: UpstreamRoute): void {
    const upstream = new URL(route.upstream);
    const pools = this.poolsOf(upstream.origin, route.timeoutMs);
    scope.addHook('onClose', async () => {
      await Promise.all([pools.reads.close(), pools.uploads.close()]);
    });
    // Bodies stay unparsed streams; the handler forwards them as they arrive.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, payload, done) => {
      done(null, payload);
    });
    scope.setErrorHandler(this.renderError);
    const prefix = `/api/${route.name}`;
    const basePath = upstream.pathname.endsWith('/') ? upstream.pathname.slice(0, -1) : upstream.pathname;
    const location: RouteLocation = { upstreamOrigin: upstream.origin, basePath, browserPrefix: prefix };
    const forward = this.forwarder(route, pools, location);
    const methods = new Set(route.methods ?? API_METHODS);
    const allowed = [...methods];
    const options = {
      // A callback hook, not an async one: most calls pass every check without waiting (see check).
      preHandler: (request: FastifyRequest, _reply: FastifyReply, done: (error?: Error) => void) => {
        if (!methods.has(request.method)) throw new MethodNotAllowedError(allowed);
        this.check(request, route, prefix.length, upstream.pathname, done);
      },
      handler: forward,
    };
    scope.all(prefix, options);
    scope.all(`${prefix}/*`, options);
  }

  /**
   * Uploads get a pool without a connection cap: each holds its connection
   * until its body has arrived (at most BFF_REQUEST_BODY_TIMEOUT_MS), and a
   * capped pool would queue every other caller of the route behind slow
   * senders. Calls without a body share a capped, kept-alive pool of their own.
   */
  private poolsOf(origin: string, timeoutMs: number): RoutePools {
    const options = {
      pipelining: 1,
      keepAliveTimeout: 60_000,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      connect: { timeout: Math.min(timeoutMs, 10_000) },
    };
    return {
      reads: new Pool(origin, { ...options, connections: 128 }),
      uploads: new Pool(origin, { ...options, connections: null }),
    };
  }

  /**
   * The checks before a call goes upstream. When the session is in this instance's cache and
   * its token is fresh (most calls) they all run at once, with no promise; otherwise the
   * same checks wait for the store, the refresh or the token endpoint (checkWaiting).
   */
  private check(
    request: FastifyRequest,
    route: UpstreamRoute,
    prefixLength: number,
    basePath: string,
    done: (error?: Error) => void,
  ): void {
    assertBrowserRequest(request.headers, this.allowedOrigins);
    const need = this.tokens.sessionNeed(route);
    const session = need === 'never' ? undefined : this.sessions.cached(request);
    // Undefined without a session for every policy that needs one (see credentialNow).
    const credential = this.tokens.credentialNow(route, session);
    if (credential === undefined) {
      this.checkWaiting(request, route, need, session, prefixLength, basePath).then(() => {
        done();
      }, done);
      return;
    }
    this.useCredential(this.checkCall(request, route, session, prefixLength, basePath), credential, session);
    done();
  }

  private async checkWaiting(
    request: FastifyRequest,
    route: UpstreamRoute,
    need: SessionNeed,
    cached: OpenedSession | undefined,
    prefixLength: number,
    basePath: string,
  ): Promise<void> {
    // A cached session whose token is due is not opened again: only the token waits.
    let session = cached;
    if (session === undefined && need === 'required') session = await this.sessions.require(request);
    else if (session === undefined && need === 'optional') session = await this.sessions.open(request);
    const state = this.checkCall(request, route, session, prefixLength, basePath);
    this.useCredential(state, await this.tokens.credentialFor(route, session), session);
  }

  /** Step-up, path and body: refused before any token work or upstream call. */
  private checkCall(
    request: FastifyRequest,
    route: UpstreamRoute,
    session: OpenedSession | undefined,
    prefixLength: number,
    basePath: string,
  ): ProxyState {
    if (route.acr) assertStepUp(route.acr, session?.record.acr, request.headers, this.publicUrl.origin);
    const { path, query } = upstreamPathOf(request.url, prefixLength, basePath);
    const body = proxiedBodyOf(request, this.config.bodyLimitBytes);
    const state: ProxyState = {
      target: query === '' ? path : `${path}?${query}`,
      body: body.stream,
      bodyLimit: body.limit,
    };
    request.bffProxy = state;
    return state;
  }

  private useCredential(state: ProxyState, credential: RouteCredential, session: OpenedSession | undefined): void {
    state.accessToken = credential.accessToken;
    state.dpopKey = credential.dpopKey;
    state.session = credential.session ?? session;
  }

  /**
   * The handler of one route (see forwardUpstream). Everything per route is built here once;
   * per request there is one header object and one exchange.
   */
  private forwarder(
    route: UpstreamRoute,
    pools: RoutePools,
    location: RouteLocation,
  ): (request: FastifyRequest, reply: FastifyReply) => void {
    const duration = this.metrics.upstreamDuration.labels(route.name);
    const counters = new Map<number, { inc(): void }>();
    const forwarding: RouteForwarding = {
      route,
      pools,
      location,
      publicProto: this.publicUrl.protocol.slice(0, -1),
      publicHost: this.publicUrl.host,
      trustProxy: this.trustProxy,
      bodyLimitBytes: this.config.bodyLimitBytes,
      proofs: this.proofs,
      tokens: this.tokens,
      tracing: this.tracing,
      logger: this.logger,
      count: (status, startedAt) => {
        duration.observe((performance.now() - startedAt) / 1000);
        let counter = counters.get(status);
        if (!counter) {
          counter = this.metrics.upstreamRequests.labels(route.name, String(status));
          counters.set(status, counter);
        }
        counter.inc();
      },
      renderRawError: (error, request, reply) => {
        this.renderRawError(error, request, reply);
      },
    };
    return (request, reply) => {
      forwardUpstream(forwarding, request, reply);
    };
  }

  /** Answers a refused request through Fastify (before the handler took the response over). */
  private readonly renderError = (error: unknown, request: FastifyRequest, reply: FastifyReply): void => {
    const { status, body } = this.refusal(error, request);
    if (reply.sent) return;
    // An unread request body (refused early, e.g. 413) would leave the connection unusable: close it.
    if (!request.raw.complete) void reply.header('connection', 'close');
    if (error instanceof MethodNotAllowedError) void reply.header('allow', error.allowed.join(', '));
    void reply.code(status).header('cache-control', 'no-store').type('application/json; charset=utf-8').send(body);
  };

  /** Answers on the raw response, once the handler has taken it over from Fastify. */
  private renderRawError(error: unknown, request: FastifyRequest, reply: FastifyReply): void {
    const { status, body } = this.refusal(error, request);
    const response = reply.raw;
    if (response.headersSent || response.destroyed) return;
    const payload = JSON.stringify(body);
    response.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(payload),
      'cache-control': 'no-store',
      ...(request.raw.complete ? {} : { connection: 'close' }),
    });
    response.end(payload);
  }

  private refusal(error: unknown, request: FastifyRequest): ReturnType<typeof toErrorResponse> {
    const refusal = toErrorResponse(error);
    const line = `${request.method} /api/… -> ${String(refusal.status)} ${refusal.body.error}`;
    if (refusal.status >= 500) this.logger.error(`${line}: ${describeChain(error)}`);
    else if (refusal.body.error === 'session_required') this.logger.debug(line);
    else if (refusal.body.error === 'step_up_required') this.logger.log(line);
    else this.logger.warn(line);
    return refusal;
  }
}
