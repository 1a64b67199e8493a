import { Logger } from '@nestjs/common';
import { SessionStoreUnavailableError, type RedisClient } from '@bff/cluster';
import { ExecutionError, Redlock, ResourceLockedError } from '@sesamecare-oss/redlock';
import { pollForLock, type HeldLock, type RefreshLock } from './refresh-lock';

/**
 * The redlock algorithm over the shared Redis (@sesamecare-oss/redlock, the
 * maintained redlock v5). Redlock's own retries are off: the waiting policy is
 * ours (bounded by TOKEN_REFRESH_LOCK_WAIT_MS), and a held lock is not an error.
 * A holder that dies frees the lock when its lease runs out.
 */
export class RedisRefreshLock implements RefreshLock {
  private readonly logger = new Logger(RedisRefreshLock.name);
  private readonly redlock: Redlock;

  constructor(redis: RedisClient) {
    this.redlock = new Redlock([redis], { retryCount: 0, driftFactor: 0.01 });
    // Redlock emits errors for expected contention; without a listener EventEmitter would throw.
    this.redlock.on('error', () => undefined);
  }

  acquire(key: string, leaseMs: number, waitMs: number): Promise<HeldLock | undefined> {
    return pollForLock(() => this.tryOnce(key, leaseMs), waitMs);
  }

  private async tryOnce(key: string, leaseMs: number): Promise<HeldLock | undefined> {
    try {
      const lock = await this.redlock.acquire([key], leaseMs);
      return {
        release: async () => {
          await lock.release().catch((error: unknown) => {
            // The lease ends it anyway; a failed release only delays the next refresh.
            this.logger.warn(`releasing ${key} failed: ${(error as Error).message}`);
          });
        },
      };
    } catch (error) {
      if (!(error instanceof ExecutionError)) throw error;
      // Contention is "held by someone else"; any other vote against means Redis itself failed.
      const stats = await Promise.all(error.attempts);
      const failures = stats.flatMap((stat) => [...stat.votesAgainst.values()]);
      const broken = failures.find((failure) => !(failure instanceof ResourceLockedError));
      if (broken) throw new SessionStoreUnavailableError(broken);
      return undefined;
    }
  }
}
