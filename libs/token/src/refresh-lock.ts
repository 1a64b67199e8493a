/** A held lock; release is idempotent and never throws. */
export interface HeldLock {
  release(): Promise<void>;
}

/** Injection token of the {@link RefreshLock}. */
export const REFRESH_LOCK = Symbol('REFRESH_LOCK');

/**
 * oauth2-proxy's Lock contract, reduced to what refresh needs: try to take a
 * lock for `leaseMs`, waiting at most `waitMs`; undefined when the wait ran out.
 */
export interface RefreshLock {
  acquire(key: string, leaseMs: number, waitMs: number): Promise<HeldLock | undefined>;
}

/** Polls `tryOnce` with jittered back-off until it succeeds or `waitMs` passes. */
export async function pollForLock(
  tryOnce: () => Promise<HeldLock | undefined>,
  waitMs: number,
): Promise<HeldLock | undefined> {
  const deadline = Date.now() + waitMs;
  let delay = 20;
  for (;;) {
    const lock = await tryOnce();
    if (lock) return lock;
    const left = deadline - Date.now();
    if (left <= 0) return undefined;
    await new Promise((resolve) => setTimeout(resolve, Math.min(left, delay * (0.5 + Math.random()))));
    delay = Math.min(delay * 2, 250);
  }
}

/** The single-instance lock of the in-memory mode: a lease per key in this process. */
export class LocalRefreshLock implements RefreshLock {
  private readonly leases = new Map<string, number>();

  acquire(key: string, leaseMs: number, waitMs: number): Promise<HeldLock | undefined> {
    return pollForLock(() => Promise.resolve(this.tryOnce(key, leaseMs)), waitMs);
  }

  private tryOnce(key: string, leaseMs: number): HeldLock | undefined {
    const now = Date.now();
    const until = this.leases.get(key);
    if (until !== undefined && until > now) return undefined;
    const mine = now + leaseMs;
    this.leases.set(key, mine);
    return {
      release: () => {
        if (this.leases.get(key) === mine) this.leases.delete(key);
        return Promise.resolve();
      },
    };
  }
}
