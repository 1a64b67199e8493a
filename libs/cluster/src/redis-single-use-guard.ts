import { SessionStoreUnavailableError } from './cluster.errors';
import type { RedisClient } from './redis-connection';
import type { SingleUseGuard } from './single-use-guard';

/*
 * The key carries a Redis Cluster hash tag literally (`{...}`); with one key per
 * command the same code works on standalone, Sentinel and Cluster.
 */
const claimKey = (key: string): string => `bff:once:{${key}}`;

/** Claims in Redis: `SET bff:once:{key} 1 PX ttl NX`, which only one caller can win. */
export class RedisSingleUseGuard implements SingleUseGuard {
  constructor(private readonly redis: RedisClient) {}

  async claim(key: string, ttlMs: number): Promise<boolean> {
    try {
      return (await this.redis.set(claimKey(key), '1', 'PX', ttlMs, 'NX')) === 'OK';
    } catch (error) {
      throw new SessionStoreUnavailableError(error);
    }
  }
}
