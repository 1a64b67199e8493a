import { Logger } from '@nestjs/common';
import type { RedisConfig } from '@bff/config';
import Redis, { Cluster, type RedisOptions } from 'ioredis';

/** A standalone/Sentinel client or a Cluster client: the same command surface. */
export type RedisClient = Redis | Cluster;

/** Injection token of the shared Redis command connection (absent without REDIS_URL). */
export const REDIS_CLIENT = Symbol('REDIS_CLIENT');

function parseHostPort(entry: string): { host: string; port: number } {
  const index = entry.lastIndexOf(':');
  return { host: entry.slice(0, index), port: Number(entry.slice(index + 1)) };
}

/**
 * ioredis defaults hang a request while Redis is away (offline queue, 20 retries,
 * no command timeout). Here a command fails fast instead, so the request gets a
 * 503, and the client keeps reconnecting in the background so the BFF recovers
 * without a restart.
 */
function baseOptions(config: RedisConfig): RedisOptions {
  return {
    lazyConnect: true,
    connectTimeout: config.connectTimeoutMs,
    commandTimeout: config.commandTimeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: (attempt: number) => Math.min(100 * 2 ** Math.min(attempt, 5), 2000),
  };
}

/**
 * Builds a client for the configured topology. `name` tells connections apart
 * in logs and `CLIENT LIST`. The caller connects it (see {@link connectRedis}).
 */
export function createRedisClient(config: RedisConfig, name: string): RedisClient {
  const url = config.url;
  if (url === undefined) throw new Error('createRedisClient needs REDIS_URL');
  const options = { ...baseOptions(config), connectionName: `bff-${name}` };
  const parsed = new URL(url);
  const auth = {
    username: parsed.username ? decodeURIComponent(parsed.username) : undefined,
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    tls: parsed.protocol === 'rediss:' ? {} : undefined,
  };
  let client: RedisClient;
  if (config.mode === 'cluster') {
    const seeds = [
      parseHostPort(`${parsed.hostname}:${parsed.port || '6379'}`),
      ...config.clusterNodes.map(parseHostPort),
    ];
    client = new Cluster(seeds, {
      lazyConnect: true,
      enableOfflineQueue: false,
      clusterRetryStrategy: options.retryStrategy,
      redisOptions: { ...options, ...auth },
    });
  } else if (config.mode === 'sentinel') {
    client = new Redis({
      ...options,
      ...auth,
      sentinels: config.sentinels.map(parseHostPort),
      name: config.sentinelName,
      db: Number(parsed.pathname.slice(1) || 0),
    });
  } else {
    client = new Redis(url, options);
  }
  const logger = new Logger(`Redis(${name})`);
  let lastLogged = 0;
  client.on('error', (error: Error) => {
    // Reconnection errors repeat every retry; one line per 10 s is enough to see an outage.
    if (Date.now() - lastLogged > 10_000) {
      lastLogged = Date.now();
      logger.warn(`Redis connection error: ${error.message}`);
    }
  });
  return client;
}

/** Connects and proves a round trip within the connect timeout, or throws with a clear message. */
export async function connectRedis(client: RedisClient, config: RedisConfig): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`no answer within ${String(config.connectTimeoutMs)} ms`));
    }, config.connectTimeoutMs);
  });
  try {
    await Promise.race([client.connect().then(() => client.ping()), timeout]);
  } catch (error) {
    client.disconnect();
    const where = config.url ? new URL(config.url).host : 'REDIS_URL';
    throw new Error(`Cannot reach Redis at ${where} (REDIS_URL): ${(error as Error).message}`, { cause: error });
  } finally {
    clearTimeout(timer);
  }
}

/** Closes a connection politely when it is up, at once when it is not (QUIT would wait for a reconnect). */
export async function closeRedis(client: RedisClient): Promise<void> {
  if (client.status !== 'ready') {
    client.disconnect();
    return;
  }
  await Promise.race([client.quit(), new Promise((resolve) => setTimeout(resolve, 1000).unref())]).catch(
    () => undefined,
  );
  client.disconnect();
}
