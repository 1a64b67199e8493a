import { randomBytes } from 'node:crypto';
import { connectRedis, createRedisClient, type RedisClient } from '@bff/cluster';
import { testRedisConfig } from '../support/redis';

/** A fresh key part, so suites sharing the test Redis never see each other's data. */
export const uid = (): string => randomBytes(12).toString('base64url');

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A client connected to the test Redis, as ClusterModule builds it. */
export async function connectTestRedis(name: string): Promise<RedisClient> {
  const config = testRedisConfig();
  const client = createRedisClient(config, name);
  await connectRedis(client, config);
  return client;
}

/**
 * A client whose connection was up and then dropped, as if Redis went away:
 * ioredis keeps retrying in the background, and with the offline queue off a
 * command fails at once instead of hanging.
 */
export async function droppedTestRedis(name: string): Promise<RedisClient> {
  const client = await connectTestRedis(name);
  client.disconnect();
  return client;
}
