import { MemoryLoginTransactionStore, RedisLoginTransactionStore, type LoginTransactionStore } from '@bff/auth';
import { SessionStoreUnavailableError, type RedisClient } from '@bff/cluster';
import { connectTestRedis, droppedTestRedis, sleep, uid } from './store-fixtures';

/** One contract, every store: the in-memory store is the reference. */
function loginTransactionContract(
  name: string,
  make: () => Promise<{ store: LoginTransactionStore; close: () => Promise<void> }>,
) {
  describe(`${name} honours the LoginTransactionStore contract`, () => {
    let store: LoginTransactionStore;
    let close: () => Promise<void>;
    beforeAll(async () => {
      ({ store, close } = await make());
    });
    afterAll(async () => {
      await close();
    });

    it('hands out a login transaction exactly once, even to concurrent takers', async () => {
      const state = uid();
      await store.put(state, 'tx', 60_000);
      const takes = await Promise.all(Array.from({ length: 10 }, () => store.take(state)));
      expect(takes.filter((t) => t === 'tx')).toHaveLength(1);
      expect(await store.take(state)).toBeNull();
    });

    it('returns null for an unknown state', async () => {
      expect(await store.take(uid())).toBeNull();
    });

    it('keeps each state to its own transaction', async () => {
      const [a, b] = [uid(), uid()];
      await store.put(a, 'tx-a', 60_000);
      await store.put(b, 'tx-b', 60_000);
      expect(await store.take(b)).toBe('tx-b');
      expect(await store.take(a)).toBe('tx-a');
    });

    it('expires a login transaction', async () => {
      const state = uid();
      await store.put(state, 'tx', 100);
      await sleep(250);
      expect(await store.take(state)).toBeNull();
    });
  });
}

loginTransactionContract('MemoryLoginTransactionStore', () =>
  Promise.resolve({ store: new MemoryLoginTransactionStore(), close: () => Promise.resolve() }),
);

loginTransactionContract('RedisLoginTransactionStore', async () => {
  const client = await connectTestRedis('login-contract');
  return {
    store: new RedisLoginTransactionStore(client),
    close: async () => {
      await client.quit();
    },
  };
});

describe('RedisLoginTransactionStore on Redis', () => {
  let client: RedisClient;
  beforeAll(async () => {
    client = await connectTestRedis('login-keys');
  });
  afterAll(async () => {
    await client.quit();
  });

  it('keeps a transaction under its hash-tagged key with the TTL it was given', async () => {
    const state = uid();
    await new RedisLoginTransactionStore(client).put(state, 'tx', 60_000);
    expect(await client.get(`bff:login:{${state}}`)).toBe('tx');
    expect(await client.pttl(`bff:login:{${state}}`)).toBeGreaterThan(55_000);
  });

  it('fails with SessionStoreUnavailableError instead of hanging once the connection drops', async () => {
    const store = new RedisLoginTransactionStore(await droppedTestRedis('login-dropped'));
    await expect(store.put(uid(), 'tx', 1000)).rejects.toBeInstanceOf(SessionStoreUnavailableError);
    await expect(store.take(uid())).rejects.toMatchObject({ status: 503 });
  });
});
