import {
  MemorySingleUseGuard,
  RedisSingleUseGuard,
  SessionStoreUnavailableError,
  type RedisClient,
  type SingleUseGuard,
} from '@bff/cluster';
import { connectTestRedis, droppedTestRedis, sleep, uid } from './store-fixtures';

/** One contract, every guard: the in-memory guard is the reference. */
function singleUseContract(name: string, make: () => Promise<{ guard: SingleUseGuard; close: () => Promise<void> }>) {
  describe(`${name} honours the SingleUseGuard contract`, () => {
    let guard: SingleUseGuard;
    let close: () => Promise<void>;
    beforeAll(async () => {
      ({ guard, close } = await make());
    });
    afterAll(async () => {
      await close();
    });

    it('grants a claim once within its TTL, even to concurrent claimants', async () => {
      const key = uid();
      const claims = await Promise.all(Array.from({ length: 10 }, () => guard.claim(key, 60_000)));
      expect(claims.filter(Boolean)).toHaveLength(1);
      expect(await guard.claim(key, 60_000)).toBe(false);
    });

    it('keeps claims on different keys apart', async () => {
      const [a, b] = [uid(), uid()];
      expect(await guard.claim(a, 60_000)).toBe(true);
      expect(await guard.claim(b, 60_000)).toBe(true);
    });

    it('grants the key again once its claim has expired', async () => {
      const key = uid();
      expect(await guard.claim(key, 100)).toBe(true);
      await sleep(250);
      expect(await guard.claim(key, 60_000)).toBe(true);
      expect(await guard.claim(key, 60_000)).toBe(false);
    });
  });
}

singleUseContract('MemorySingleUseGuard', () =>
  Promise.resolve({ guard: new MemorySingleUseGuard(), close: () => Promise.resolve() }),
);

singleUseContract('RedisSingleUseGuard', async () => {
  const client = await connectTestRedis('single-use-contract');
  return {
    guard: new RedisSingleUseGuard(client),
    close: async () => {
      await client.quit();
    },
  };
});

describe('RedisSingleUseGuard on Redis', () => {
  let client: RedisClient;
  beforeAll(async () => {
    client = await connectTestRedis('single-use-keys');
  });
  afterAll(async () => {
    await client.quit();
  });

  it('keeps a claim under its hash-tagged key with the TTL it was given', async () => {
    const key = `jti:${uid()}`;
    await new RedisSingleUseGuard(client).claim(key, 60_000);
    expect(await client.get(`bff:once:{${key}}`)).toBe('1');
    expect(await client.pttl(`bff:once:{${key}}`)).toBeGreaterThan(55_000);
  });

  it('fails with SessionStoreUnavailableError instead of hanging once the connection drops', async () => {
    const guard = new RedisSingleUseGuard(await droppedTestRedis('single-use-dropped'));
    await expect(guard.claim(uid(), 1000)).rejects.toBeInstanceOf(SessionStoreUnavailableError);
  });
});
