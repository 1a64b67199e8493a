import type { Readable } from 'node:stream';
import type { Logger } from '@nestjs/common';
import { context, type Context, type Span } from '@opentelemetry/api';
import type { UpstreamRoute } from '@bff/config';
import type { DpopKey } from '@bff/dpop';
import type { OpenedSession } from '@bff/session';
import type { RouteTokens } from '@bff/token';
import { endClientSpan, startClientSpan, traceHeadersOf, type BffTracing, type CallUrl } from '@bff/tracing';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Pool } from 'undici';
import type { BodyLimit } from './body-limit';
import { upstreamRequestHeaders } from './forwarded-headers';
import { BodyTooLargeError, upstreamFailureOf } from './proxy.errors';
import { UpstreamExchange, type ExchangeObserver } from './upstream-exchange';
import { browserLocationOf, type RouteLocation } from './upstream-location';
import { plainPathOf, type UpstreamProofs } from './upstream-proofs';

/** What the checks in preHandler hand to the forwarding handler. */
export interface ProxyState {
  /** Path and query as sent upstream. */
  target: string;
  accessToken?: string;
  /** The key the token is bound to (DPoP): each call then carries a fresh proof of it. */
  dpopKey?: DpopKey;
  /** The session the token came from, to renew it should the upstream refuse the token. */
  session?: OpenedSession;
  body?: Readable;
  bodyLimit?: BodyLimit;
}

declare module 'fastify' {
  interface FastifyRequest {
    bffProxy?: ProxyState;
  }
}

/** One route's upstream connections: calls without a body never wait behind uploads. */
export interface RoutePools {
  reads: Pool;
  uploads: Pool;
}

/** Methods whose call is re-sent once with a renewed token when the upstream refuses the first. */
const RETRYABLE = new Set(['GET', 'HEAD']);

/** What every call of one route shares, built once per route by ApiProxy. */
export interface RouteForwarding {
  route: UpstreamRoute;
  pools: RoutePools;
  location: RouteLocation;
  publicProto: string;
  publicHost: string;
  trustProxy: boolean;
  bodyLimitBytes: number;
  proofs: UpstreamProofs;
  tokens: RouteTokens;
  tracing: BffTracing;
  logger: Logger;
  /** Counts and times one upstream answer (or the refusal given in its place). */
  count(status: number, startedAt: number): void;
  /** Answers on the raw response, once the handler has taken it over from Fastify. */
  renderRawError(error: unknown, request: FastifyRequest, reply: FastifyReply): void;
}

/** Each upstream origin parsed once: a span's URL is that origin and the call's plain path. */
const parsedOrigins = new Map<string, URL>();

/** The URL of a call as `new URL(target, origin)` has it, without parsing one per call when its path is plain. */
function upstreamUrlOf(origin: string, target: string): CallUrl {
  const path = plainPathOf(target);
  if (path === undefined) return new URL(target, origin);
  let parsed = parsedOrigins.get(origin);
  if (parsed === undefined) {
    parsed = new URL(origin);
    parsedOrigins.set(origin, parsed);
  }
  return { protocol: parsed.protocol, hostname: parsed.hostname, port: parsed.port, origin, pathname: path };
}

/** The CLIENT span of one attempt at an upstream call (its query is never recorded). */
function upstreamSpan(
  forwarding: RouteForwarding,
  method: string,
  target: string,
  attempt: number,
  parent: Context,
): Span {
  // A sampled-out request's call needs no URL or attributes worked out for a span never recorded.
  const unrecorded = forwarding.tracing.unrecordedParentIn(parent);
  if (unrecorded !== undefined) return unrecorded;
  const url = upstreamUrlOf(forwarding.location.upstreamOrigin, target);
  const attributes =
    attempt > 0
      ? { 'bff.proxy.route': forwarding.route.name, 'http.request.resend_count': attempt }
      : { 'bff.proxy.route': forwarding.route.name };
  return startClientSpan(forwarding.tracing, `${method} ${forwarding.route.name}`, method, url, attributes, parent);
}

/**
 * Streams one checked request to its upstream through the route's pool, on the raw response
 * (Fastify's onSend hooks do not run; the security headers are already on it). A call
 * without a body is sent once more when the upstream refuses the token (renewed first) or
 * asks for a DPoP nonce (a new proof with it); never more than once. With tracing on, each
 * attempt is a CLIENT span under the request's SERVER span and carries its `traceparent`.
 * A DPoP-bound token waits for its proof (signed off the event loop) before the call goes.
 */
export function forwardUpstream(forwarding: RouteForwarding, request: FastifyRequest, reply: FastifyReply): void {
  const { route, location, proofs, tokens, logger } = forwarding;
  const state = request.bffProxy as ProxyState;
  const origin = location.upstreamOrigin;
  const rewrite = (value: string): string | undefined => browserLocationOf(value, location, state.target);
  const pool = state.body ? forwarding.pools.uploads : forwarding.pools.reads;
  // The request's SERVER span; a retry starts from undici's callbacks, outside it.
  const parent = forwarding.tracing.enabled ? context.active() : undefined;
  let attempt = 0;
  const abandoned = (): void => {
    logger.debug(`${request.method} /api/… abandoned: the browser closed the connection first`);
  };
  reply.hijack();
  const send = (accessToken: string | undefined, dpopKey: DpopKey | undefined, mayRetry: boolean): void => {
    // The browser went while the call was checked (its session read, its token refreshed): its
    // response's close has passed, so no exchange would hear of it, and nobody would read the answer.
    if (reply.raw.destroyed) {
      abandoned();
      return;
    }
    const proof = proofs.proofFor(dpopKey, accessToken, { origin, target: state.target, method: request.method });
    if (proof === undefined) {
      dispatch(accessToken, dpopKey, undefined, mayRetry);
      return;
    }
    proof.then(
      (dpopProof) => {
        // The browser went while the proof was signed: nobody waits for the upstream's answer.
        if (reply.raw.destroyed) {
          abandoned();
          return;
        }
        dispatch(accessToken, dpopKey, dpopProof, mayRetry);
      },
      (error: unknown) => {
        forwarding.renderRawError(error, request, reply);
      },
    );
  };
  const dispatch = (
    accessToken: string | undefined,
    dpopKey: DpopKey | undefined,
    dpopProof: string | undefined,
    mayRetry: boolean,
  ): void => {
    const startedAt = performance.now();
    const span = parent && upstreamSpan(forwarding, request.method, state.target, attempt++, parent);
    let answeredStatus: number | undefined;
    const headers = upstreamRequestHeaders(request.headers, {
      clientIp: request.socket.remoteAddress ?? '',
      priorForwardedFor: forwarding.trustProxy ? (request.headers['x-forwarded-for'] as string | undefined) : undefined,
      publicProto: forwarding.publicProto,
      publicHost: forwarding.publicHost,
      requestId: request.id,
      accessToken,
      dpopProof,
      trace: span && traceHeadersOf(span.spanContext()),
    });
    const observer: ExchangeObserver = {
      answered: (status, responseHeaders) => {
        answeredStatus = status;
        forwarding.count(status, startedAt);
        proofs.remember(origin, responseHeaders);
      },
      failed: (error) => {
        const refusal = state.bodyLimit?.exceeded
          ? new BodyTooLargeError(forwarding.bodyLimitBytes)
          : upstreamFailureOf(error);
        forwarding.count(refusal.status, startedAt);
        forwarding.renderRawError(refusal, request, reply);
      },
      abandoned,
      retry: (reason) => {
        // One more try, never a loop: the second exchange may not retry.
        if (reason === 'use_dpop_nonce') {
          // The nonce came with the 401 and is remembered: the same token with a new proof.
          logger.debug(`route ${route.name}: the upstream asked for a DPoP nonce; sending once more`);
          send(accessToken, dpopKey, false);
          return;
        }
        logger.log(`route ${route.name}: the upstream refused the token (401 invalid_token); renewing once`);
        const renewal = () => tokens.credentialFor(route, state.session, accessToken);
        (parent ? context.with(parent, renewal) : renewal()).then(
          (renewed) => {
            send(renewed.accessToken, renewed.dpopKey, false);
          },
          (error: unknown) => {
            forwarding.renderRawError(error, request, reply);
          },
        );
      },
      settled:
        span &&
        ((error) => {
          endClientSpan(span, answeredStatus, error);
        }),
    };
    pool.dispatch(
      { method: request.method, path: state.target, headers, body: state.body },
      new UpstreamExchange(
        reply.raw,
        observer,
        rewrite,
        mayRetry && RETRYABLE.has(request.method),
        // A streamed body cannot be sent twice: its 401 use_dpop_nonce goes to the browser, the nonce is kept.
        mayRetry && dpopProof !== undefined && state.body === undefined,
      ),
    );
  };
  // Only a call without a body can be sent twice; others pass the upstream's 401 on.
  send(state.accessToken, state.dpopKey, state.accessToken !== undefined);
}
