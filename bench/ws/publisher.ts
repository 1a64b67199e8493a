/**
 * A downstream service publishing notifications straight to Redis (docs/architecture.md),
 * at a steady rate: each tick publishes whatever is due by the wall clock, so a late timer
 * does not lower the rate, and every message is stamped just before it is sent.
 */
import type Redis from 'ioredis';
import { monotonicUs } from './protocol';

export interface Published {
  sent: number;
  seconds: number;
  /** Fewest and most subscribers Redis reported for one message. */
  minReceivers: number;
  maxReceivers: number;
}

export async function publishAtRate(
  redis: Redis,
  channel: string,
  ratePerSecond: number,
  durationMs: number,
  message: (tUs: number) => string,
): Promise<Published> {
  const replies: Promise<number>[] = [];
  const started = performance.now();
  let sent = 0;
  for (;;) {
    const elapsed = performance.now() - started;
    if (elapsed >= durationMs) break;
    const due = Math.floor((elapsed * ratePerSecond) / 1000);
    while (sent < due) {
      replies.push(redis.publish(channel, message(monotonicUs())));
      sent += 1;
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  const seconds = (performance.now() - started) / 1000;
  const receivers = await Promise.all(replies);
  return {
    sent,
    seconds,
    minReceivers: receivers.reduce((min, n) => Math.min(min, n), receivers.length ? Infinity : 0),
    maxReceivers: receivers.reduce((max, n) => Math.max(max, n), 0),
  };
}
