import { SessionStoreUnavailableError, type RedisClient } from '@bff/cluster';
import type { LoginTransactionStore } from './login-transaction.store';

/*
 * The key carries a Redis Cluster hash tag literally (`{...}`); with one key per
 * command the same code works on standalone, Sentinel and Cluster.
 */
const loginKey = (state: string): string => `bff:login:{${state}}`;

/** Pending logins in Redis under `bff:login:{state}`, taken with GETDEL so only one caller gets each. */
export class RedisLoginTransactionStore implements LoginTransactionStore {
  constructor(private readonly redis: RedisClient) {}

  async put(state: string, sealed: string, ttlMs: number): Promise<void> {
    try {
      await this.redis.set(loginKey(state), sealed, 'PX', ttlMs);
    } catch (error) {
      throw new SessionStoreUnavailableError(error);
    }
  }

  async take(state: string): Promise<string | null> {
    try {
      return await this.redis.getdel(loginKey(state));
    } catch (error) {
      throw new SessionStoreUnavailableError(error);
    }
  }
}
