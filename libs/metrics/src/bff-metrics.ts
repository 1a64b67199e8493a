import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { BoundLabelsCounter, BoundLabelsHistogram } from './bound-metrics';

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * Every metric the BFF exports (docs/architecture.md lists them), on a registry of its
 * own so that several instances in one process (tests) do not collide.
 * Labels are bounded sets: route names from config, status codes, fixed results. The metrics
 * observed on every request have children bound to their label set (bound-metrics.ts).
 */
@Injectable()
export class BffMetrics {
  readonly registry = new Registry();

  readonly httpRequests = new BoundLabelsCounter({
    name: 'bff_http_requests_total',
    help: 'HTTP requests answered by the BFF.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });

  readonly httpDuration = new BoundLabelsHistogram({
    name: 'bff_http_request_duration_seconds',
    help: 'Time to answer an HTTP request (until the response is finished).',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly upstreamRequests = new BoundLabelsCounter({
    name: 'bff_proxy_upstream_requests_total',
    help: 'Proxied requests by route and upstream status (502/504 for failures the BFF maps).',
    labelNames: ['route', 'status'] as const,
    registers: [this.registry],
  });

  readonly upstreamDuration = new BoundLabelsHistogram({
    name: 'bff_proxy_upstream_duration_seconds',
    help: 'Time from forwarding a request until the upstream response headers.',
    labelNames: ['route'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly tokenRefreshes = new Counter({
    name: 'bff_token_refresh_total',
    help: 'Access-token refreshes: ok, rejected (session ended), failed (IdP away), lock_timeout.',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  readonly refreshLockWait = new Histogram({
    name: 'bff_refresh_lock_wait_seconds',
    help: 'Time spent waiting for the per-session refresh lock.',
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  readonly tokenGrants = new Counter({
    name: 'bff_token_grants_total',
    help: 'Route tokens obtained at the token endpoint: grant (client_credentials, token_exchange), route, result (ok, refused, failed).',
    labelNames: ['grant', 'route', 'result'] as const,
    registers: [this.registry],
  });

  readonly sessions = new Counter({
    name: 'bff_sessions_total',
    help: 'Session lifecycle events: created, ended.',
    labelNames: ['event'] as const,
    registers: [this.registry],
  });

  readonly websocketConnections = new Gauge({
    name: 'bff_websocket_connections',
    help: 'Open WebSocket connections on this instance.',
    registers: [this.registry],
  });

  readonly pubsubMessages = new Counter({
    name: 'bff_pubsub_messages_total',
    help: 'Pub/sub messages published (out) and received (in) by this instance.',
    labelNames: ['direction'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'bff_process_' });
  }
}
