import { RedisConfig } from '@bff/config';
import type Redis from 'ioredis';
import { createRedisClient, isReconnectError, REDIS_RECONNECT_MAX_DELAY_MS } from './redis-connection';

function sentinelConfig(): RedisConfig {
  return Object.assign(new RedisConfig(), {
    url: 'redis://:secret@ignored:6379/2',
    mode: 'sentinel',
    sentinels: ['127.0.0.1:26379', 'sentinel-2:26380'],
    sentinelName: 'cache',
    commandTimeoutMs: 750,
    connectTimeoutMs: 1500,
  });
}

describe('createRedisClient in sentinel mode', () => {
  // lazyConnect: building a client opens no connection, so its options can be read without a network.
  const client = createRedisClient(sentinelConfig(), 'spec') as Redis;
  afterAll(() => {
    client.disconnect();
  });

  it('asks the configured sentinels for the named master, with the db and password of REDIS_URL', () => {
    expect(client.options).toMatchObject({
      sentinels: [
        { host: '127.0.0.1', port: 26379 },
        { host: 'sentinel-2', port: 26380 },
      ],
      name: 'cache',
      db: 2,
      password: 'secret',
      connectionName: 'bff-spec',
    });
  });

  it('bounds the question to each sentinel by the command timeout, so a hung sentinel is skipped', () => {
    expect(client.options.sentinelCommandTimeout).toBe(750);
    expect(client.options.connectTimeout).toBe(1500);
  });

  it('fails commands at once while the master is away instead of queueing or retrying them', () => {
    expect(client.options).toMatchObject({ enableOfflineQueue: false, maxRetriesPerRequest: 0, commandTimeout: 750 });
  });

  it('keeps reconnecting and asking the sentinels, backing off up to the cap and never giving up', () => {
    const { retryStrategy, sentinelRetryStrategy } = client.options;
    const delays = [1, 2, 3, 4, 5, 6, 50, 10_000].map((attempt) => retryStrategy?.(attempt));
    expect(delays).toEqual([200, 400, 800, 1600, 2000, 2000, 2000, 2000]);
    expect(delays.every((delay) => typeof delay === 'number' && delay <= REDIS_RECONNECT_MAX_DELAY_MS)).toBe(true);
    expect([1, 5, 1000].map((attempt) => sentinelRetryStrategy?.(attempt))).toEqual([200, 2000, 2000]);
  });

  it('leaves the failover detector off (it would reconnect again on each sentinel’s late +switch-master)', () => {
    expect(client.options.failoverDetector).toBe(false);
  });

  it('resubscribes pub/sub channels after a reconnection', () => {
    expect(client.options.autoResubscribe).toBe(true);
  });
});

describe('isReconnectError', () => {
  it('reconnects on READONLY: the server was demoted to a replica under an open connection', () => {
    expect(isReconnectError(new Error("READONLY You can't write against a read only replica."))).toBe(true);
  });

  it.each([
    'ERR wrong number of arguments',
    'NOSCRIPT No matching script',
    'Command timed out',
    "Stream isn't writeable and enableOfflineQueue options is false",
  ])('keeps the connection on "%s"', (message) => {
    expect(isReconnectError(new Error(message))).toBe(false);
  });
});
