/**
 * Where a verifier records the `jti` of every accepted proof for as long as the proof could
 * be accepted (RFC 9449 §11.1), so each is accepted once. One cache serves every key; a shared
 * store (Redis `SET NX EX`) makes "once" hold across instances.
 */
export interface DpopReplayCache {
  /**
   * Records `jti` until `expiresAt` (seconds since the epoch; `now` is the verifier's clock).
   *
   * @returns false when `jti` was already recorded and has not expired: a replay.
   */
  markUsed(jti: string, window: { now: number; expiresAt: number }): boolean | Promise<boolean>;
}

/**
 * An in-process {@link DpopReplayCache}: one instance's memory, bounded. Past `maxEntries` the
 * entries recorded first go (expired ones before any other), so a flood of proofs costs
 * bounded memory at the price of forgetting the oldest `jti` early.
 */
export class MemoryDpopReplayCache implements DpopReplayCache {
  readonly #expiries = new Map<string, number>();

  constructor(private readonly maxEntries = 100_000) {}

  markUsed(jti: string, { now, expiresAt }: { now: number; expiresAt: number }): boolean {
    const seen = this.#expiries.get(jti);
    if (seen !== undefined && seen > now) return false;
    this.#expiries.delete(jti);
    this.#expiries.set(jti, expiresAt);
    this.#evict(now);
    return true;
  }

  /** How many `jti` are held (expired ones included until evicted). */
  get size(): number {
    return this.#expiries.size;
  }

  // Entries are inserted in about the order they expire (iat + a fixed window), so expired ones
  // gather at the start of the map: a few are dropped on every insert, all of them when full.
  #evict(now: number): void {
    let budget = this.#expiries.size > this.maxEntries ? Infinity : 2;
    for (const [jti, expiresAt] of this.#expiries) {
      if (budget-- <= 0 || expiresAt > now) break;
      this.#expiries.delete(jti);
    }
    while (this.#expiries.size > this.maxEntries) {
      const oldest = this.#expiries.keys().next();
      if (oldest.done === true) break;
      this.#expiries.delete(oldest.value);
    }
  }
}
