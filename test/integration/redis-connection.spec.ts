import { connectRedis, createRedisClient } from '@bff/cluster';
import { testRedisConfig } from '../support/redis';

describe('connectRedis', () => {
  it('proves a round trip to a reachable Redis', async () => {
    const config = testRedisConfig();
    const client = createRedisClient(config, 'connect-ok');
    await connectRedis(client, config);
    try {
      expect(client.status).toBe('ready');
      expect(await client.ping()).toBe('PONG');
    } finally {
      await client.quit();
    }
  });

  it('refuses to boot with a message naming REDIS_URL when Redis is unreachable', async () => {
    const config = testRedisConfig({ url: 'redis://127.0.0.1:1' });
    const client = createRedisClient(config, 'unreachable');
    await expect(connectRedis(client, config)).rejects.toThrow(/Cannot reach Redis at 127\.0\.0\.1:1 \(REDIS_URL\)/);
  });
});
