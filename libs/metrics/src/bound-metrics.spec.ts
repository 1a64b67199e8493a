import { Counter, Histogram, Registry } from 'prom-client';
import { BoundLabelsCounter, BoundLabelsHistogram, bindCounter, bindHistogram } from './bound-metrics';

const BUCKETS = [0.001, 0.01, 0.1, 1, 2.5, 10];
const LABELS = { method: 'GET', route: '/api/x/*', status: '200' };

/** Two identical metrics on registries of their own: one fed by prom-client's API, one by the bound children. */
function pair() {
  const make = () => {
    const registry = new Registry();
    const counter = new Counter({
      name: 'c_total',
      help: 'c',
      labelNames: ['method', 'route', 'status'] as const,
      registers: [registry],
    });
    const histogram = new Histogram({
      name: 'h_seconds',
      help: 'h',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: BUCKETS,
      registers: [registry],
    });
    return { registry, counter, histogram };
  };
  return { reference: make(), bound: make() };
}

const VALUES = [0.0005, 0.001, 0.004, 0.2, 2, 2.5, 7, 11, 0.05, 1];

describe('bound metric children', () => {
  it('export exactly what prom-client’s own inc and observe export for the same calls', async () => {
    const { reference, bound } = pair();
    const counter = bindCounter(bound.counter, LABELS);
    const histogram = bindHistogram(bound.histogram, LABELS);
    for (const value of VALUES) {
      reference.counter.inc(LABELS);
      reference.histogram.observe(LABELS, value);
      counter.inc();
      histogram.observe(value);
    }
    reference.counter.inc({ ...LABELS, status: '502' }, 3);
    bindCounter(bound.counter, { ...LABELS, status: '502' }).inc(3);
    expect(await bound.registry.metrics()).toBe(await reference.registry.metrics());
  });

  it('share the record of a label set another caller already uses, without resetting it', async () => {
    const { reference, bound } = pair();
    for (const metrics of [reference, bound]) {
      metrics.counter.labels('GET', '/api/x/*', '200').inc(2);
      metrics.histogram.labels('GET', '/api/x/*', '200').observe(0.5);
    }
    bindCounter(bound.counter, LABELS).inc();
    bindHistogram(bound.histogram, LABELS).observe(0.05);
    reference.counter.inc(LABELS);
    reference.histogram.observe(LABELS, 0.05);
    expect(await bound.registry.metrics()).toBe(await reference.registry.metrics());
  });

  it('bind again after the registry is reset, so no observation is lost', async () => {
    const { reference, bound } = pair();
    const counter = bindCounter(bound.counter, LABELS);
    const histogram = bindHistogram(bound.histogram, LABELS);
    counter.inc();
    histogram.observe(0.2);
    bound.registry.resetMetrics();
    counter.inc(5);
    histogram.observe(3);
    reference.counter.inc(LABELS, 5);
    reference.histogram.observe(LABELS, 3);
    expect(await bound.registry.metrics()).toBe(await reference.registry.metrics());
  });

  it('refuse what prom-client refuses: unknown labels, a negative increment, a value that is not a number', () => {
    const { bound } = pair();
    expect(() => bindCounter(bound.counter, { ...LABELS, user: 'alice' } as typeof LABELS)).toThrow();
    expect(() => bindHistogram(bound.histogram, { ...LABELS, user: 'alice' } as typeof LABELS)).toThrow();
    expect(() => bindCounter(bound.counter, LABELS).inc(-1)).toThrow(TypeError);
    expect(() => bindHistogram(bound.histogram, LABELS).observe(Number.NaN)).toThrow(TypeError);
  });
});

describe('BoundLabelsCounter and BoundLabelsHistogram', () => {
  it('export what plain prom-client metrics export for the same labels() calls, kept children included', async () => {
    const make = (bound: boolean) => {
      const registry = new Registry();
      const config = { labelNames: ['route', 'status'] as const, registers: [registry] };
      const counter = bound
        ? new BoundLabelsCounter({ name: 'c_total', help: 'c', ...config })
        : new Counter({ name: 'c_total', help: 'c', ...config });
      const histogram = bound
        ? new BoundLabelsHistogram({ name: 'h_seconds', help: 'h', buckets: BUCKETS, ...config })
        : new Histogram({ name: 'h_seconds', help: 'h', buckets: BUCKETS, ...config });
      const kept = { counter: counter.labels('api', '200'), histogram: histogram.labels('api', '200') };
      for (const value of VALUES) {
        kept.counter.inc();
        kept.histogram.observe(value);
      }
      counter.labels({ route: 'api', status: '200' }).inc(2);
      histogram.labels('api', '502').observe(0.3);
      return registry;
    };
    expect(await make(true).metrics()).toBe(await make(false).metrics());
  });

  it('show no series for a child that never counted, as prom-client does', async () => {
    const registry = new Registry();
    const counter = new BoundLabelsCounter({
      name: 'c_total',
      help: 'c',
      labelNames: ['route'],
      registers: [registry],
    });
    counter.labels('api');
    expect(await registry.metrics()).not.toContain('route="api"');
  });

  it('refuse a wrong number of label values', () => {
    const counter = new BoundLabelsCounter({ name: 'c_total', help: 'c', labelNames: ['route', 'status'] });
    expect(() => counter.labels('api')).toThrow('expected 2 label values');
  });
});
