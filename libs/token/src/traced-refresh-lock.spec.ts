import { context, SpanKind, trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { BffTracing } from '@bff/tracing';
import { LocalRefreshLock } from './refresh-lock';
import { LOCK_WAIT_SPAN, TracedRefreshLock } from './traced-refresh-lock';

function setUp(): { lock: TracedRefreshLock; exporter: InMemorySpanExporter; tracing: BffTracing } {
  const exporter = new InMemorySpanExporter();
  const tracing = BffTracing.fromProvider(
    new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }),
  );
  return { lock: new TracedRefreshLock(new LocalRefreshLock(), tracing), exporter, tracing };
}

describe('TracedRefreshLock', () => {
  it('makes each wait an INTERNAL span under the active one, acquired or not, without the key', async () => {
    const { lock, exporter, tracing } = setUp();
    const request = tracing.startSpan('GET /api/echo/*', SpanKind.SERVER, {});
    await context.with(trace.setSpan(context.active(), request), async () => {
      const held = await lock.acquire('bff:lock:refresh:{session-id}', 1000, 100);
      expect(held).toBeDefined();
      expect(await lock.acquire('bff:lock:refresh:{session-id}', 1000, 30)).toBeUndefined();
      await held?.release();
    });
    const [acquired, timedOut] = exporter.getFinishedSpans();
    for (const span of [acquired, timedOut]) {
      expect(span?.name).toBe(LOCK_WAIT_SPAN);
      expect(span?.kind).toBe(SpanKind.INTERNAL);
      expect(span?.parentSpanContext?.spanId).toBe(request.spanContext().spanId);
      expect(JSON.stringify(span?.attributes)).not.toContain('session-id');
    }
    expect(acquired?.attributes).toEqual({ 'bff.lock.wait_limit_ms': 100, 'bff.lock.acquired': true });
    expect(timedOut?.attributes).toEqual({ 'bff.lock.wait_limit_ms': 30, 'bff.lock.acquired': false });
  });
});
