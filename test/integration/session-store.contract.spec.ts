import { SessionStoreUnavailableError, type RedisClient } from '@bff/cluster';
import { MemorySessionStore, RedisSessionStore, type SessionStore } from '@bff/session';
import { connectTestRedis, droppedTestRedis, sleep, uid } from './store-fixtures';

/** One contract, every store: the in-memory store is the reference. */
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

    it('lists the live sessions of a sub with their listing info and TTL', async () => {
      const sub = `u-${uid()}`;
      const [a, b] = [uid(), uid()];
      await store.create(a, 'a', 60_000, { sub }, 60_000, { sealed: 'info-a', lastSeenAt: 1_000 });
      await store.create(b, 'b', 30_000, { sub, sid: `s-${uid()}` }, 60_000);
      await store.create(uid(), 'other', 60_000, { sub: `u-${uid()}` }, 60_000, { sealed: 'x', lastSeenAt: 1 });
      const listed = (await store.listBySub(sub)).sort((x, y) => y.ttlMs - x.ttlMs);
      expect(listed).toEqual([
        { id: a, ttlMs: expect.any(Number), info: { sealed: 'info-a', lastSeenAt: 1_000 } },
        { id: b, ttlMs: expect.any(Number) },
      ]);
      expect(listed[0]!.ttlMs).toBeGreaterThan(55_000);
      expect(listed[1]!.ttlMs).toBeLessThanOrEqual(30_000);
      expect(await store.listBySub(`u-${uid()}`)).toEqual([]);
    });

    it('records lastSeenAt with the idle slide, and keeps the listing info as long as its session', async () => {
      const sub = `u-${uid()}`;
      const id = uid();
      await store.create(id, 's', 200, { sub }, 60_000, { sealed: 'info', lastSeenAt: 1 });
      expect(await store.touch(id, 60_000, 42)).toBe(true);
      await sleep(300);
      // Past the first TTL: both the session and its info were extended by the slide.
      expect(await store.listBySub(sub)).toEqual([
        { id, ttlMs: expect.any(Number), info: { sealed: 'info', lastSeenAt: 42 } },
      ]);
      expect(await store.touch(id, 60_000)).toBe(true);
      expect((await store.listBySub(sub))[0]?.info?.lastSeenAt).toBe(42);
      expect(await store.replace(id, 's2')).toBe(true);
      expect((await store.listBySub(sub))[0]?.info?.sealed).toBe('info');
    });

    it('drops ended and expired sessions from the listing, and their ids from the sub index', async () => {
      const sub = `u-${uid()}`;
      const [live, ended, expiring] = [uid(), uid(), uid()];
      const info = { sealed: 'i', lastSeenAt: 1 };
      await store.create(live, 'l', 60_000, { sub }, 60_000, info);
      await store.create(ended, 'e', 60_000, { sub }, 60_000, info);
      await store.create(expiring, 'x', 150, { sub }, 60_000, info);
      await store.delete(ended, { sub });
      await sleep(300);
      expect((await store.listBySub(sub)).map((s) => s.id)).toEqual([live]);
      expect(await store.idsBySub(sub)).toEqual([live]);
      // A deleted session's info is gone with it: recreating the id without info lists none.
      await store.create(ended, 'e2', 60_000, { sub }, 60_000);
      expect((await store.listBySub(sub)).find((s) => s.id === ended)).toEqual({
        id: ended,
        ttlMs: expect.any(Number),
      });
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
  const client = await connectTestRedis('session-contract');
  return {
    store: new RedisSessionStore(client),
    close: async () => {
      await client.quit();
    },
  };
});

describe('RedisSessionStore on Redis', () => {
  let client: RedisClient;
  beforeAll(async () => {
    client = await connectTestRedis('session-keys');
  });
  afterAll(async () => {
    await client.quit();
  });

  it('keeps a session and its indexes under hash-tagged keys, which Redis Cluster and the refresh lock rely on', async () => {
    const [id, sub, sid] = [uid(), `u-${uid()}`, `s-${uid()}`];
    await new RedisSessionStore(client).create(id, 'sealed', 60_000, { sub, sid }, 60_000);
    expect(await client.get(`bff:session:{${id}}`)).toBe('sealed');
    expect(await client.smembers(`bff:sub:{${sub}}`)).toEqual([id]);
    expect(await client.smembers(`bff:sid:{${sid}}`)).toEqual([id]);
  });

  it("keeps a session's listing info in the session's slot, with the session's TTL", async () => {
    const [id, sub] = [uid(), `u-${uid()}`];
    const store = new RedisSessionStore(client);
    await store.create(id, 'sealed', 60_000, { sub }, 120_000, { sealed: 'info', lastSeenAt: 7 });
    expect(await client.hgetall(`bff:session-info:{${id}}`)).toEqual({ i: 'info', s: '7' });
    await store.touch(id, 90_000, 8);
    expect(await client.pttl(`bff:session-info:{${id}}`)).toBeGreaterThan(85_000);
    expect(await client.hget(`bff:session-info:{${id}}`, 's')).toBe('8');
    await store.delete(id, { sub });
    expect(await client.exists(`bff:session-info:{${id}}`)).toBe(0);
  });

  it('fails a command with SessionStoreUnavailableError instead of hanging once the connection drops', async () => {
    const dropped = await droppedTestRedis('session-dropped');
    const store = new RedisSessionStore(dropped);
    await expect(store.read(uid())).rejects.toBeInstanceOf(SessionStoreUnavailableError);
    await expect(store.create(uid(), 'x', 1000, { sub: 'x' }, 1000)).rejects.toMatchObject({ status: 503 });
    await expect(store.ping()).rejects.toBeInstanceOf(SessionStoreUnavailableError);
    await expect(store.listBySub('x')).rejects.toBeInstanceOf(SessionStoreUnavailableError);
    await expect(store.touch(uid(), 1000, 1)).rejects.toBeInstanceOf(SessionStoreUnavailableError);
  });
});
