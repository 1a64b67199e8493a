import type { LoginTransactionStore } from './login-transaction.store';

/** How often, at most, a put also drops the expired transactions. */
const SWEEP_INTERVAL_MS = 60_000;

/**
 * Pending logins kept in this process: the store of a single development
 * instance and the reference implementation of the contract.
 */
export class MemoryLoginTransactionStore implements LoginTransactionStore {
  private readonly transactions = new Map<string, { sealed: string; expiresAt: number }>();
  private lastSweep: number;

  constructor(private readonly now: () => number = Date.now) {
    this.lastSweep = now();
  }

  put(state: string, sealed: string, ttlMs: number): Promise<void> {
    const now = this.now();
    // Abandoned logins are never taken; sweeping on write bounds them without a timer to stop at shutdown.
    if (now - this.lastSweep >= SWEEP_INTERVAL_MS) this.sweep(now);
    this.transactions.set(state, { sealed, expiresAt: now + ttlMs });
    return Promise.resolve();
  }

  take(state: string): Promise<string | null> {
    const entry = this.transactions.get(state);
    this.transactions.delete(state);
    return Promise.resolve(entry && entry.expiresAt > this.now() ? entry.sealed : null);
  }

  private sweep(now: number): void {
    this.lastSweep = now;
    for (const [state, entry] of this.transactions) if (entry.expiresAt <= now) this.transactions.delete(state);
  }
}
