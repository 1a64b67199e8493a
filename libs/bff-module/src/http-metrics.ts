import { bindCounter, bindHistogram, type BffMetrics, type BoundCounter, type BoundHistogram } from '@bff/metrics';
import type { CompletionListener } from './request-completion';

/** Counts and times every answered request by method, route pattern and status. */
export function httpMetricsRecorder(metrics: BffMetrics): CompletionListener {
  // Children bound to their label set once, cached by key: prom-client's own validate and hash
  // a label object on every call (see bindCounter).
  const recorders = new Map<string, { counter: BoundCounter; histogram: BoundHistogram }>();
  return ({ method, route, status, durationMs }) => {
    // The route pattern, not the URL, keeps the label set bounded.
    const key = `${method} ${route} ${String(status)}`;
    let recorder = recorders.get(key);
    if (!recorder) {
      const labels = { method, route, status: String(status) };
      recorder = {
        counter: bindCounter(metrics.httpRequests, labels),
        histogram: bindHistogram(metrics.httpDuration, labels),
      };
      recorders.set(key, recorder);
    }
    recorder.counter.inc();
    recorder.histogram.observe(durationMs / 1000);
  };
}
