/** Bounds of the reconnect delay. */
export interface BackoffPolicy {
  /** Ceiling of the first delay; each further attempt doubles it. */
  baseDelayMs: number;
  /** The ceiling never grows past this. */
  maxDelayMs: number;
}

/**
 * Exponential back-off with "full jitter" (AWS Architecture Blog, "Exponential Backoff And
 * Jitter"): a delay drawn uniformly from [0, min(maxDelayMs, baseDelayMs · 2^(attempt-1))).
 * Jitter matters here: when an instance shuts down, all its sockets close at once, and
 * un-jittered clients would come back at once too. `attempt` counts from 1.
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * ceiling);
}
