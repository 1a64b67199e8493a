import { bindCounter, bindHistogram, type BffMetrics, type BoundCounter, type BoundHistogram } from '@bff/metrics';
import type { CompletionListener } from './request-completion';

interface Recorder {
  counter: BoundCounter;
  histogram: BoundHistogram;
}

/** Counts and times every answered request by method, route pattern and status. */
export function httpMetricsRecorder(metrics: BffMetrics): CompletionListener {
  // Children bound to their label set once: prom-client's own validate and hash a label object
  // on every call (see bindCounter). Found by route, then method, then status: the route and
  // method strings are the same objects request after request (their hashes are kept), so no
  // key string is built per request.
  const recorders = new Map<string, Map<string, Map<number, Recorder>>>();
  return ({ method, route, status, durationMs }) => {
    let byMethod = recorders.get(route);
    if (!byMethod) recorders.set(route, (byMethod = new Map<string, Map<number, Recorder>>()));
    let byStatus = byMethod.get(method);
    if (!byStatus) byMethod.set(method, (byStatus = new Map<number, Recorder>()));
    let recorder = byStatus.get(status);
    if (!recorder) {
      // The route pattern, not the URL, keeps the label set bounded.
      const labels = { method, route, status: String(status) };
      recorder = {
        counter: bindCounter(metrics.httpRequests, labels),
        histogram: bindHistogram(metrics.httpDuration, labels),
      };
      byStatus.set(status, recorder);
    }
    recorder.counter.inc();
    recorder.histogram.observe(durationMs / 1000);
  };
}
