import {
  Counter,
  Histogram,
  type CounterConfiguration,
  type HistogramConfiguration,
  type LabelValues,
} from 'prom-client';

/**
 * prom-client's record of one label set: `{ labels, value }` in a Counter, `{ labels, sum,
 * count, bucketValues }` in a Histogram (prom-client 15, lib/counter.js and lib/histogram.js),
 * kept in the metric's `hashMap` by a string of its label values.
 */
interface LabelledRecord {
  labels: Record<string, string | number>;
}
interface CounterRecord extends LabelledRecord {
  value: number;
}
interface HistogramRecord extends LabelledRecord {
  sum: number;
  count: number;
  /** Observations per bucket, not cumulative, by upper bound; +Inf is `count`. */
  bucketValues: Record<number, number>;
}
interface WithRecords<R> {
  hashMap: Record<string, R | undefined>;
}

/** A counter's child for one label set. */
export interface BoundCounter {
  inc(value?: number): void;
}

/** A histogram's child for one label set. */
export interface BoundHistogram {
  observe(value: number): void;
}

function sameLabels(record: LabelledRecord, labels: Record<string, string | number>): boolean {
  const names = Object.keys(labels);
  return (
    Object.keys(record.labels).length === names.length &&
    names.every((name) => String(record.labels[name]) === String(labels[name]))
  );
}

/** The record of `labels` and its key, once the metric holds one. */
function locate<R extends LabelledRecord>(
  metric: WithRecords<R>,
  labels: Record<string, string | number>,
): { key: string; record: R } {
  for (const [key, record] of Object.entries(metric.hashMap)) {
    if (record && sameLabels(record, labels)) return { key, record };
  }
  throw new Error(`no record for the labels ${JSON.stringify(labels)}`);
}

/**
 * A counter child that adds to its label set's record directly. prom-client's own children
 * (`counter.labels(...)`) validate and hash their labels again on every `inc`: on the proxy's
 * hot path, a few µs per request. The record is found once; should the metric drop it
 * (`reset()`, `remove()`), the next call binds again. The exposition is prom-client's, unchanged.
 */
export function bindCounter<T extends string>(counter: Counter<T>, labels: LabelValues<T>): BoundCounter {
  const metric = counter as unknown as WithRecords<CounterRecord>;
  const values = labels as Record<string, string | number>;
  let bound = { key: '', record: { labels: values, value: 0 } };
  const bind = (): void => {
    // Adding 0 creates the record if it is missing and validates the labels, once.
    counter.inc(labels, 0);
    bound = locate(metric, values);
  };
  bind();
  return {
    inc(value = 1) {
      if (!(value >= 0) || !Number.isFinite(value)) throw new TypeError(`a counter only grows: ${String(value)}`);
      if (metric.hashMap[bound.key] !== bound.record) bind();
      bound.record.value += value;
    },
  };
}

/**
 * A histogram child that adds to its label set's record directly, as prom-client's `observe`
 * does (sum, count, the first bucket whose upper bound is ≥ the value) without validating and
 * hashing the labels on every call. Exemplars are not supported (the BFF's metrics have none).
 */
export function bindHistogram<T extends string>(histogram: Histogram<T>, labels: LabelValues<T>): BoundHistogram {
  const metric = histogram as unknown as WithRecords<HistogramRecord>;
  const values = labels as Record<string, string | number>;
  let bound: { key: string; record: HistogramRecord } = {
    key: '',
    record: { labels: values, sum: 0, count: 0, bucketValues: {} },
  };
  let upperBounds: number[] = [];
  // The record's keys for those bounds, as strings: a number used as a key is converted on every access.
  let bucketKeys: string[] = [];
  const bind = (): void => {
    // labels() validates them (an unknown name throws) and has no other effect.
    histogram.labels(labels);
    try {
      bound = locate(metric, values);
    } catch {
      // zero() creates the record; it would reset an existing one.
      histogram.zero(labels);
      bound = locate(metric, values);
    }
    upperBounds = Object.keys(bound.record.bucketValues)
      .map(Number)
      .sort((a, b) => a - b);
    bucketKeys = upperBounds.map(String);
  };
  bind();
  return {
    observe(value) {
      if (!Number.isFinite(value)) throw new TypeError(`not a number to observe: ${String(value)}`);
      if (metric.hashMap[bound.key] !== bound.record) bind();
      const { record } = bound;
      record.sum += value;
      record.count += 1;
      const buckets = record.bucketValues as Record<string, number>;
      for (let i = 0; i < upperBounds.length; i += 1) {
        if (value <= (upperBounds[i] as number)) {
          const key = bucketKeys[i] as string;
          buckets[key] = (buckets[key] ?? 0) + 1;
          return;
        }
      }
    },
  };
}

/** Label values given by position, as an object keyed by the metric's label names. */
function labelsByName<T extends string>(names: readonly T[], values: unknown[]): LabelValues<T> {
  if (values.length !== names.length) {
    throw new Error(
      `expected ${String(names.length)} label values (${names.join(', ')}), got ${String(values.length)}`,
    );
  }
  return Object.fromEntries(names.map((name, index) => [name, values[index] as string])) as LabelValues<T>;
}

/**
 * A prom-client Counter whose `labels(...values)` children are bound ({@link bindCounter}) on
 * their first `inc`, so a caller that keeps its child pays no label hashing per call.
 */
export class BoundLabelsCounter<T extends string> extends Counter<T> {
  private readonly names: readonly T[];

  constructor(configuration: CounterConfiguration<T>) {
    super(configuration);
    this.names = configuration.labelNames ?? [];
  }

  override labels(...values: unknown[]): Counter.Internal {
    const [first] = values;
    if (values.length === 1 && typeof first === 'object' && first !== null)
      return super.labels(first as LabelValues<T>);
    const labels = labelsByName(this.names, values);
    let bound: BoundCounter | undefined;
    return {
      inc: (value?: number) => {
        bound ??= bindCounter(this, labels);
        bound.inc(value);
      },
    };
  }
}

/**
 * A prom-client Histogram whose `labels(...values)` children observe through {@link bindHistogram},
 * bound on their first `observe`; `startTimer` stays prom-client's.
 */
export class BoundLabelsHistogram<T extends string> extends Histogram<T> {
  private readonly names: readonly T[];

  constructor(configuration: HistogramConfiguration<T>) {
    super(configuration);
    this.names = configuration.labelNames ?? [];
  }

  override labels(...values: unknown[]): Histogram.Internal<T> {
    const [first] = values;
    if (values.length === 1 && typeof first === 'object' && first !== null)
      return super.labels(first as LabelValues<T>);
    const labels = labelsByName(this.names, values);
    const child = super.labels(labels);
    let bound: BoundHistogram | undefined;
    return {
      observe: (value: number) => {
        bound ??= bindHistogram(this, labels);
        bound.observe(value);
      },
      startTimer: () => child.startTimer(),
    };
  }
}
