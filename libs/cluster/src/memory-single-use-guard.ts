import type { SingleUseGuard } from './single-use-guard';

/** How often, at most, a claim also drops the expired ones. */
const SWEEP_INTERVAL_MS = 60_000;

/**
 * Claims kept in this process: the guard of a single development instance and
 * the reference implementation of the contract.
 */
export class MemorySingleUseGuard implements SingleUseGuard {
  private readonly claims = new Map<string, number>();
  private lastSweep: number;

  constructor(private readonly now: () => number = Date.now) {
    this.lastSweep = now();
  }

  claim(key: string, ttlMs: number): Promise<boolean> {
    const now = this.now();
    // Swept on write rather than by a timer, so the guard needs no shutdown; an expired claim is gone within one interval.
    if (now - this.lastSweep >= SWEEP_INTERVAL_MS) this.sweep(now);
    const expiresAt = this.claims.get(key);
    if (expiresAt !== undefined && expiresAt > now) return Promise.resolve(false);
    this.claims.set(key, now + ttlMs);
    return Promise.resolve(true);
  }

  private sweep(now: number): void {
    this.lastSweep = now;
    for (const [key, expiresAt] of this.claims) if (expiresAt <= now) this.claims.delete(key);
  }
}
