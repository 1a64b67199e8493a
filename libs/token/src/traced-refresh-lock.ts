import type { BffTracing } from '@bff/tracing';
import type { HeldLock, RefreshLock } from './refresh-lock';

/** Name of the span of one wait for a session's refresh lock. */
export const LOCK_WAIT_SPAN = 'token refresh lock wait';

/**
 * A {@link RefreshLock} whose every wait is an INTERNAL span `token refresh lock wait`, with
 * `bff.lock.acquired` (false when the wait ran out). The session's key is not recorded: it
 * holds the session id.
 */
export class TracedRefreshLock implements RefreshLock {
  constructor(
    private readonly lock: RefreshLock,
    private readonly tracing: BffTracing,
  ) {}

  acquire(key: string, leaseMs: number, waitMs: number): Promise<HeldLock | undefined> {
    return this.tracing.inSpan(LOCK_WAIT_SPAN, { 'bff.lock.wait_limit_ms': waitMs }, async (span) => {
      const held = await this.lock.acquire(key, leaseMs, waitMs);
      span?.setAttribute('bff.lock.acquired', held !== undefined);
      return held;
    });
  }
}
