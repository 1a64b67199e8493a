import { connectRedis, createRedisClient } from '@bff/cluster';
import { PrivateRedis } from '../support/private-redis';
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

describe('a connection whose server is demoted to a replica under it', () => {
  const servers: PrivateRedis[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.stop()));
  });

  it('fails the write that meets READONLY and drops the connection, so the next one looks for the master again', async () => {
    const [demoted, master] = [await PrivateRedis.start(), await PrivateRedis.start()];
    servers.push(demoted, master);
    const config = testRedisConfig({ url: demoted.url });
    const client = createRedisClient(config, 'demoted');
    await connectRedis(client, config);
    try {
      expect(await client.set('readonly-test', 'before')).toBe('OK');
      // Redis keeps a demoted server's client connections open; only Sentinel closes them itself.
      await demoted.demoteTo(master);
      const closed = new Promise((resolve) => client.once('close', resolve));
      await expect(client.set('readonly-test', 'after')).rejects.toThrow(/^READONLY/);
      await closed;
      // Standalone mode reconnects to the same address; in sentinel mode the sentinels are asked first.
      await new Promise((resolve) => client.once('ready', resolve));
      expect(await client.ping()).toBe('PONG');
    } finally {
      client.disconnect();
    }
  });
});
