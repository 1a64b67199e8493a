import { Redis } from 'ioredis';
import { PublishFailedError } from './demo-api.errors';

/** A frame as the BFF delivers it to WebSocket clients. */
export interface NotificationFrame {
  type: string;
  data: unknown;
}

/** Delivers a frame to a BFF pub/sub channel such as `bff:ws:user:<sub>`. */
export interface NotificationPublisher {
  publish(channel: string, frame: NotificationFrame): Promise<void>;
  close?(): Promise<void>;
}

export interface RedisPublisherOptions {
  /** Bound on each PUBLISH, in milliseconds (default 2000). */
  commandTimeoutMs?: number;
  /** Bound on establishing the connection, in milliseconds (default 5000). */
  connectTimeoutMs?: number;
}

/**
 * Publishes frames with Redis `PUBLISH channel <JSON frame>`, the format the BFF's
 * subscribers read. While Redis is down a publish fails at once instead of queueing.
 */
export function redisPublisher(redisUrl: string, options: RedisPublisherOptions = {}): NotificationPublisher {
  const redis = new Redis(redisUrl, {
    commandTimeout: options.commandTimeoutMs ?? 2000,
    connectTimeout: options.connectTimeoutMs ?? 5000,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
  });
  // Connection errors surface as failed publishes; without a listener ioredis
  // would print every reconnect attempt as an unhandled error event.
  redis.on('error', () => undefined);
  return {
    async publish(channel, frame) {
      await redis.publish(channel, JSON.stringify(frame));
    },
    async close() {
      await Promise.race([
        redis.quit().catch(() => undefined),
        new Promise((resolve) => setTimeout(resolve, 2000).unref()),
      ]);
      redis.disconnect();
    },
  };
}

export interface BffInternalPublisherOptions {
  /** Bound on each request, in milliseconds (default 5000). */
  timeoutMs?: number;
}

/**
 * Publishes frames through the BFF's `POST /internal/publish` endpoint, for
 * deployments (and the demo) without Redis.
 */
export function bffInternalPublisher(
  bffUrl: string,
  token: string,
  options: BffInternalPublisherOptions = {},
): NotificationPublisher {
  const endpoint = `${bffUrl.replace(/\/+$/, '')}/internal/publish`;
  const timeoutMs = options.timeoutMs ?? 5000;
  return {
    async publish(channel, frame) {
      const res = await fetch(endpoint, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ channel, message: frame }),
        redirect: 'error',
        signal: AbortSignal.timeout(timeoutMs),
      });
      await res.body?.cancel();
      if (res.status !== 202) {
        throw new PublishFailedError(`POST ${endpoint} answered ${res.status}, expected 202`);
      }
    },
  };
}
