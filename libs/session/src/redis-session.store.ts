import { SessionStoreUnavailableError, type RedisClient } from '@bff/cluster';
import type { ListedSession, SessionIndexKeys, SessionListingInfo, SessionStore, StoredSession } from './session.store';

/*
 * Key names carry Redis Cluster hash tags literally (`{...}`), so a session's
 * entry and its lock share a slot. Every command touches a single key, so the
 * same code works on standalone, Sentinel and Cluster.
 */
const sessionKey = (id: string): string => `bff:session:{${id}}`;
/** A session's listing info: a hash `i` (sealed) and `s` (last seen), in the session's slot. */
const infoKey = (id: string): string => `bff:session-info:{${id}}`;
const subKey = (sub: string): string => `bff:sub:{${sub}}`;
const sidKey = (sid: string): string => `bff:sid:{${sid}}`;

/** Adds a member and extends the set's TTL, never shortening it (a longer-lived session may be in it). */
const ADD_TO_INDEX = `
redis.call('SADD', KEYS[1], ARGV[1])
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 1`;

/** The session and its listing info in one atomic write (both keys share the id's slot). */
const CREATE_SESSION = `
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
if ARGV[3] ~= '' then
  redis.call('HSET', KEYS[2], 'i', ARGV[3], 's', ARGV[4])
  redis.call('PEXPIRE', KEYS[2], ARGV[2])
end
return 1`;

/** The idle slide: one round trip extends both keys and records when the session was last seen. */
const TOUCH_SESSION = `
if redis.call('PEXPIRE', KEYS[1], ARGV[1]) == 0 then return 0 end
if ARGV[2] ~= '' and redis.call('EXISTS', KEYS[2]) == 1 then redis.call('HSET', KEYS[2], 's', ARGV[2]) end
redis.call('PEXPIRE', KEYS[2], ARGV[1])
return 1`;

/** A session's remaining TTL with its listing info ({ttl} alone when the session is gone). */
const LIST_SESSION = `
local ttl = redis.call('PTTL', KEYS[1])
if ttl <= 0 then return {ttl} end
local info = redis.call('HMGET', KEYS[2], 'i', 's')
return {ttl, info[1], info[2]}`;

type IndexingClient = RedisClient & {
  bffAddToIndex(key: string, member: string, ttlMs: number): Promise<number>;
  bffCreateSession(
    key: string,
    info: string,
    sealed: string,
    ttlMs: number,
    infoSealed: string,
    lastSeenAt: string,
  ): Promise<number>;
  bffTouchSession(key: string, info: string, ttlMs: number, lastSeenAt: string): Promise<number>;
  bffListSession(key: string, info: string): Promise<[number, (string | null)?, (string | null)?]>;
};

/** Sessions in Redis: ciphertext under `bff:session:{id}` with a TTL, plus id-only indexes. */
export class RedisSessionStore implements SessionStore {
  private readonly redis: IndexingClient;

  constructor(redis: RedisClient) {
    redis.defineCommand('bffAddToIndex', { numberOfKeys: 1, lua: ADD_TO_INDEX });
    redis.defineCommand('bffCreateSession', { numberOfKeys: 2, lua: CREATE_SESSION });
    redis.defineCommand('bffTouchSession', { numberOfKeys: 2, lua: TOUCH_SESSION });
    redis.defineCommand('bffListSession', { numberOfKeys: 2, lua: LIST_SESSION });
    this.redis = redis as IndexingClient;
  }

  async create(
    id: string,
    sealed: string,
    ttlMs: number,
    index: SessionIndexKeys,
    indexTtlMs: number,
    info?: SessionListingInfo,
  ): Promise<void> {
    await this.guard(async () => {
      await this.redis.bffCreateSession(
        sessionKey(id),
        infoKey(id),
        sealed,
        ttlMs,
        info?.sealed ?? '',
        String(info?.lastSeenAt ?? ''),
      );
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

  async touch(id: string, ttlMs: number, lastSeenAt?: number): Promise<boolean> {
    return this.guard(
      async () =>
        (await this.redis.bffTouchSession(sessionKey(id), infoKey(id), ttlMs, String(lastSeenAt ?? ''))) === 1,
    );
  }

  async delete(id: string, index?: SessionIndexKeys): Promise<boolean> {
    return this.guard(async () => {
      const removed = await this.redis.del(sessionKey(id), infoKey(id));
      if (index) {
        await this.redis.srem(subKey(index.sub), id);
        if (index.sid !== undefined) await this.redis.srem(sidKey(index.sid), id);
      }
      return removed >= 1;
    });
  }

  async idsBySid(sid: string): Promise<string[]> {
    return this.guard(() => this.redis.smembers(sidKey(sid)));
  }

  async idsBySub(sub: string): Promise<string[]> {
    return this.guard(() => this.redis.smembers(subKey(sub)));
  }

  async listBySub(sub: string): Promise<ListedSession[]> {
    return this.guard(async () => {
      const ids = await this.redis.smembers(subKey(sub));
      const found = await Promise.all(
        ids.map(async (id): Promise<ListedSession | undefined> => {
          const [ttlMs, sealed, lastSeenAt] = await this.redis.bffListSession(sessionKey(id), infoKey(id));
          if (ttlMs <= 0) {
            // Expired: the index outlives its sessions (it lives as long as the longest), so prune here.
            await this.redis.srem(subKey(sub), id);
            return undefined;
          }
          const info = typeof sealed === 'string' ? { sealed, lastSeenAt: Number(lastSeenAt) } : undefined;
          return { id, ttlMs, ...(info ? { info } : {}) };
        }),
      );
      return found.filter((session) => session !== undefined);
    });
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
