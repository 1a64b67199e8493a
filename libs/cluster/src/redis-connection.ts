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

/** The longest pause between two reconnection attempts (the back-off doubles from 200 ms up to this). */
export const REDIS_RECONNECT_MAX_DELAY_MS = 2000;

function reconnectDelay(attempt: number): number {
  return Math.min(100 * 2 ** Math.min(attempt, 5), REDIS_RECONNECT_MAX_DELAY_MS);
}

/**
 * True for the errors after which this connection should be dropped and made again. READONLY
 * means the server we talk to was turned into a replica behind our back by something other than
 * Sentinel (an operator's REPLICAOF: Redis keeps the open connections, test/integration/
 * redis-connection.spec.ts): only a new connection, which asks Sentinel for the master again and
 * checks the server's role, gets off it. The command itself still fails (503), since it may not
 * be safe to send twice.
 */
export function isReconnectError(error: Error): boolean {
  return error.message.startsWith('READONLY');
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
    retryStrategy: reconnectDelay,
    reconnectOnError: isReconnectError,
  };
}

/**
 * Sentinel mode: every reconnection asks the sentinels, in turn, for the master's address and
 * checks the role of the server it reaches, so after a failover the next reconnection lands on
 * the promoted replica; pub/sub channels are subscribed again there (ioredis `autoResubscribe`).
 */
function sentinelOptions(config: RedisConfig): RedisOptions {
  return {
    sentinels: config.sentinels.map(parseHostPort),
    name: config.sentinelName,
    // ioredis puts no timeout on the question to a sentinel, and a hung sentinel host still
    // accepts TCP connections: without this one frozen sentinel stalls every reconnection for
    // good, and the BFF never finds the new master (test/e2e/sentinel-failover.spec.ts).
    sentinelCommandTimeout: config.commandTimeoutMs,
    // When no sentinel answers, ask them all again on the same back-off as reconnections.
    sentinelRetryStrategy: reconnectDelay,
    // Off on purpose. ioredis' failover detector drops the connection on every `+switch-master`
    // from any sentinel, and each sentinel publishes its own: the leader at the switch, the
    // others when they learn of it from the leader's hello messages (seconds later, or minutes
    // for one that was down), so a client that already reached the new master can be thrown
    // off it again, failing requests after the failover is over. A master that dies, or that Sentinel
    // demotes (it then closes the old master's client connections), is noticed without it;
    // writes to a master cut off from its replicas are refused by Redis' own
    // `min-replicas-to-write` (docs/deploying.md, "Redis Sentinel").
    failoverDetector: false,
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
      ...sentinelOptions(config),
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
