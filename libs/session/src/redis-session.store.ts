import { SessionStoreUnavailableError, type RedisClient } from '@bff/cluster';
import type { SessionIndexKeys, SessionStore, StoredSession } from './session.store';

/*
 * Key names carry Redis Cluster hash tags literally (`{...}`), so a session's
 * entry and its lock share a slot. Every command touches a single key, so the
 * same code works on standalone, Sentinel and Cluster.
 */
const sessionKey = (id: string): string => `bff:session:{${id}}`;
const subKey = (sub: string): string => `bff:sub:{${sub}}`;
const sidKey = (sid: string): string => `bff:sid:{${sid}}`;

/** Adds a member and extends the set's TTL, never shortening it (a longer-lived session may be in it). */
const ADD_TO_INDEX = `
redis.call('SADD', KEYS[1], ARGV[1])
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 1`;

type IndexingClient = RedisClient & {
  bffAddToIndex(key: string, member: string, ttlMs: number): Promise<number>;
};

/** Sessions in Redis: ciphertext under `bff:session:{id}` with a TTL, plus id-only indexes. */
export class RedisSessionStore implements SessionStore {
  private readonly redis: IndexingClient;

  constructor(redis: RedisClient) {
    redis.defineCommand('bffAddToIndex', { numberOfKeys: 1, lua: ADD_TO_INDEX });
    this.redis = redis as IndexingClient;
  }

  async create(id: string, sealed: string, ttlMs: number, index: SessionIndexKeys, indexTtlMs: number): Promise<void> {
    await this.guard(async () => {
      await this.redis.set(sessionKey(id), sealed, 'PX', ttlMs);
      await this.redis.bffAddToIndex(subKey(index.sub), id, indexTtlMs);
      if (index.sid !== undefined) await this.redis.bffAddToIndex(sidKey(index.sid), id, indexTtlMs);
    });
  }

  async read(id: string): Promise<StoredSession | null> {
    return this.guard(async () => {
      const key = sessionKey(id);
      const [sealed, ttlMs] = await Promise.all([this.redis.get(key), this.redis.pttl(key)]);
      if (sealed === null || ttlMs <= 0) return null;
      return { sealed, ttlMs };
    });
  }

  async replace(id: string, sealed: string): Promise<boolean> {
    return this.guard(async () => (await this.redis.set(sessionKey(id), sealed, 'KEEPTTL', 'XX')) === 'OK');
  }

  async touch(id: string, ttlMs: number): Promise<boolean> {
    return this.guard(async () => (await this.redis.pexpire(sessionKey(id), ttlMs)) === 1);
  }

  async delete(id: string, index?: SessionIndexKeys): Promise<boolean> {
    return this.guard(async () => {
      const removed = await this.redis.del(sessionKey(id));
      if (index) {
        await this.redis.srem(subKey(index.sub), id);
        if (index.sid !== undefined) await this.redis.srem(sidKey(index.sid), id);
      }
      return removed === 1;
    });
  }

  async idsBySid(sid: string): Promise<string[]> {
    return this.guard(() => this.redis.smembers(sidKey(sid)));
  }

  async idsBySub(sub: string): Promise<string[]> {
    return this.guard(() => this.redis.smembers(subKey(sub)));
  }

  async ping(): Promise<void> {
    await this.guard(() => this.redis.ping());
  }

  async close(): Promise<void> {
    // The connection is shared and closed by its owner (ClusterModule's shutdown hook).
  }

  /** Any Redis failure (down, timeout, refused) becomes one typed 503. */
  private async guard<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      throw new SessionStoreUnavailableError(error);
    }
  }
}
