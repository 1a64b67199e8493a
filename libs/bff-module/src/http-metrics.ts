import { BffMetrics } from '@bff/metrics';
import type { FastifyInstance } from 'fastify';

/** Counts and times every answered request by method, route pattern and status. */
export function registerHttpMetrics(app: FastifyInstance, metrics: BffMetrics): void {
  // Labelled children cached by key: prom-client would otherwise hash a label object twice per request.
  const recorders = new Map<string, { count(): void; time(seconds: number): void }>();
  app.addHook('onResponse', (request, reply, done) => {
    // The route pattern, not the URL, keeps the label set bounded.
    const route = request.routeOptions.url ?? 'unmatched';
    const status = String(reply.statusCode);
    const key = `${request.method} ${route} ${status}`;
    let recorder = recorders.get(key);
    if (!recorder) {
      const counter = metrics.httpRequests.labels(request.method, route, status);
      const histogram = metrics.httpDuration.labels(request.method, route, status);
      recorder = { count: () => counter.inc(), time: (seconds) => histogram.observe(seconds) };
      recorders.set(key, recorder);
    }
    recorder.count();
    recorder.time(reply.elapsedTime / 1000);
    done();
  });
}
