/** Order statistics of latency samples. */

/** The q-quantile (0..1) of sorted values, nearest rank: a value that was actually observed. */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] ?? NaN;
}

export function median(values: number[]): number {
  return quantile(Float64Array.from(values).sort(), 0.5);
}

export interface Latency {
  count: number;
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
}

/** Summarises one-way latencies given in µs. */
export function latency(samplesUs: number[][]): Latency {
  const all = new Float64Array(samplesUs.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of samplesUs) {
    all.set(part, offset);
    offset += part.length;
  }
  all.sort();
  const ms = (q: number): number => quantile(all, q) / 1000;
  return { count: all.length, p50Ms: ms(0.5), p99Ms: ms(0.99), p999Ms: ms(0.999), maxMs: ms(1) };
}

/** Adds up counters keyed by name (close codes, error reasons) from several processes. */
export function mergeCounts(parts: Record<string, number>[]): Record<string, number> {
  const merged: Record<string, number> = {};
  for (const part of parts) {
    for (const [key, value] of Object.entries(part)) merged[key] = (merged[key] ?? 0) + value;
  }
  return merged;
}

/** `count` split into `parts` near-equal shares (the first ones get the remainder). */
export function shares(count: number, parts: number): number[] {
  return Array.from({ length: parts }, (_, i) => Math.floor(count / parts) + (i < count % parts ? 1 : 0));
}
