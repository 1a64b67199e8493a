import type { BffMetrics } from '@bff/metrics';
import type { CompletionListener } from './request-completion';

/** Counts and times every answered request by method, route pattern and status. */
export function httpMetricsRecorder(metrics: BffMetrics): CompletionListener {
  // Labelled children cached by key: prom-client would otherwise hash a label object twice per request.
  const recorders = new Map<string, { count(): void; time(seconds: number): void }>();
  return ({ method, route, status, durationMs }) => {
    // The route pattern, not the URL, keeps the label set bounded.
    const key = `${method} ${route} ${String(status)}`;
    let recorder = recorders.get(key);
    if (!recorder) {
      const label = String(status);
      const counter = metrics.httpRequests.labels(method, route, label);
      const histogram = metrics.httpDuration.labels(method, route, label);
      recorder = { count: () => counter.inc(), time: (seconds) => histogram.observe(seconds) };
      recorders.set(key, recorder);
    }
    recorder.count();
    recorder.time(durationMs / 1000);
  };
}
