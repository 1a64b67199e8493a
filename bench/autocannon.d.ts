/**
 * The slice of autocannon's API the benchmarks use. autocannon ships no types and
 * `@types/autocannon` lags its major versions, so the shape is declared here from
 * autocannon 8's lib/aggregateResult.js rather than adding a dependency.
 */
declare module 'autocannon' {
  namespace autocannon {
    interface Options {
      url: string;
      connections?: number;
      pipelining?: number;
      /** Seconds. */
      duration?: number;
      /** Stop after this many requests, instead of after `duration`. */
      amount?: number;
      method?: string;
      headers?: Record<string, string>;
      /** Milliseconds before a request counts as timed out. */
      timeout?: number;
      title?: string;
    }

    /** Percentiles are keyed `p50`, `p99`, `p99_9`...; latency values are milliseconds. */
    interface Histogram {
      average: number;
      mean: number;
      stddev: number;
      min: number;
      max: number;
      total: number;
      p50: number;
      p90: number;
      p99: number;
    }

    interface Result {
      duration: number;
      errors: number;
      timeouts: number;
      non2xx: number;
      resets: number;
      '2xx': number;
      statusCodeStats: Record<string, { count: number }>;
      latency: Histogram;
      /** Per-second samples: `average` is the mean req/s, `total` the completed requests. */
      requests: Histogram & { sent: number };
      /** Bytes per second samples; `total` is every byte received. */
      throughput: Histogram;
    }
  }

  function autocannon(options: autocannon.Options): Promise<autocannon.Result>;
  export = autocannon;
}
