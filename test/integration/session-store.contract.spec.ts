import { randomBytes } from 'node:crypto';
import {
  connectRedis,
  createRedisClient,
  MemorySessionStore,
  RedisSessionStore,
  SessionStoreUnavailableError,
  type RedisClient,
  type SessionStore,
} from '@bff/session';
import { testRedisConfig } from '../support/redis';

const uid = (): string => randomBytes(12).toString('base64url');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One contract, every store (STYLE.md): the in-memory store is the reference. */
function storeContract(name: string, make: () => Promise<{ store: SessionStore; close: () => Promise<void> }>) {
  describe(`${name} honours the SessionStore contract`, () => {
    let store: SessionStore;
    let close: () => Promise<void>;
    beforeAll(async () => {
      ({ store, close } = await make());
    });
    afterAll(async () => {
      await close();
    });

    it('reads back what it created, with the remaining TTL', async () => {
      const id = uid();
      await store.create(id, 'sealed-1', 60_000, { sub: `u-${id}` }, 120_000);
      const read = await store.read(id);
      expect(read?.sealed).toBe('sealed-1');
      expect(read?.ttlMs).toBeGreaterThan(55_000);
      expect(read?.ttlMs).toBeLessThanOrEqual(60_000);
    });

    it('returns null for an unknown id', async () => {
      expect(await store.read(uid())).toBeNull();
    });

    it('expires a session after its TTL', async () => {
      const id = uid();
      await store.create(id, 'sealed', 150, { sub: `u-${id}` }, 150);
      await sleep(300);
      expect(await store.read(id)).toBeNull();
    });

    it('replaces a live session keeping its TTL, and refuses to resurrect a deleted one', async () => {
      const id = uid();
      await store.create(id, 'v1', 60_000, { sub: `u-${id}` }, 60_000);
      await store.touch(id, 30_000);
      expect(await store.replace(id, 'v2')).toBe(true);
      const read = await store.read(id);
      expect(read?.sealed).toBe('v2');
      expect(read?.ttlMs).toBeLessThanOrEqual(30_000);
      expect(await store.delete(id)).toBe(true);
      expect(await store.replace(id, 'v3')).toBe(false);
      expect(await store.read(id)).toBeNull();
    });

    it('slides a live session with touch, and reports a gone one', async () => {
      const id = uid();
      await store.create(id, 'v', 1_000, { sub: `u-${id}` }, 1_000);
      expect(await store.touch(id, 90_000)).toBe(true);
      expect((await store.read(id))?.ttlMs).toBeGreaterThan(80_000);
      expect(await store.touch(uid(), 90_000)).toBe(false);
    });

    it('indexes session ids by sub and sid, and removes them on delete', async () => {
      const sub = `u-${uid()}`;
      const sid = `s-${uid()}`;
      const [a, b, c] = [uid(), uid(), uid()];
      await store.create(a, 'a', 60_000, { sub, sid }, 60_000);
      await store.create(b, 'b', 60_000, { sub, sid }, 60_000);
      await store.create(c, 'c', 60_000, { sub }, 60_000);
      expect((await store.idsBySub(sub)).sort()).toEqual([a, b, c].sort());
      expect((await store.idsBySid(sid)).sort()).toEqual([a, b].sort());
      await store.delete(a, { sub, sid });
      expect((await store.idsBySub(sub)).sort()).toEqual([b, c].sort());
      expect(await store.idsBySid(sid)).toEqual([b]);
      expect(await store.idsBySid(`s-${uid()}`)).toEqual([]);
    });

    it('keeps an index as long as its longest-lived session', async () => {
      const sub = `u-${uid()}`;
      await store.create(uid(), 'long', 60_000, { sub }, 60_000);
      await store.create(uid(), 'short', 100, { sub }, 100);
      await sleep(250);
      expect(await store.idsBySub(sub)).toHaveLength(2);
    });

    it('hands out a login transaction exactly once, even to concurrent takers', async () => {
      const state = uid();
      await store.putLoginTransaction(state, 'tx', 60_000);
      const takes = await Promise.all(Array.from({ length: 10 }, () => store.takeLoginTransaction(state)));
      expect(takes.filter((t) => t === 'tx')).toHaveLength(1);
      expect(await store.takeLoginTransaction(state)).toBeNull();
    });

    it('expires a login transaction', async () => {
      const state = uid();
      await store.putLoginTransaction(state, 'tx', 100);
      await sleep(250);
      expect(await store.takeLoginTransaction(state)).toBeNull();
    });

    it('grants a claim once within its TTL', async () => {
      const key = uid();
      const claims = await Promise.all(Array.from({ length: 10 }, () => store.claimOnce(key, 60_000)));
      expect(claims.filter(Boolean)).toHaveLength(1);
    });

    it('answers a ping', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });
  });
}

storeContract('MemorySessionStore', () => {
  const store = new MemorySessionStore();
  return Promise.resolve({ store, close: () => store.close() });
});

storeContract('RedisSessionStore', async () => {
  const config = testRedisConfig();
  const client: RedisClient = createRedisClient(config, 'contract-test');
  await connectRedis(client, config);
  return {
    store: new RedisSessionStore(client),
    close: async () => {
      await client.quit();
    },
  };
});

describe('RedisSessionStore when Redis is unreachable', () => {
  it('refuses to boot with a message naming REDIS_URL', async () => {
    const config = testRedisConfig({ url: 'redis://127.0.0.1:1' });
    const client = createRedisClient(config, 'unreachable');
    await expect(connectRedis(client, config)).rejects.toThrow(/Cannot reach Redis at 127\.0\.0\.1:1 \(REDIS_URL\)/);
  });

  it('fails a command with SessionStoreUnavailableError instead of hanging once the connection drops', async () => {
    const config = testRedisConfig();
    const client = createRedisClient(config, 'dropped');
    await connectRedis(client, config);
    const store = new RedisSessionStore(client);
    client.disconnect(); // as if Redis went away; ioredis keeps retrying in the background
    await expect(store.read(uid())).rejects.toBeInstanceOf(SessionStoreUnavailableError);
    await expect(store.create(uid(), 'x', 1000, { sub: 'x' }, 1000)).rejects.toMatchObject({ status: 503 });
  });
});
