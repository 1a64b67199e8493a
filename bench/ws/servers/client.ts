/**
 * A load-generating client process: holds its share of the sockets (one process may hold at
 * most RLIMIT_NOFILE of them), plus a plain Redis subscriber for the baseline, and reports
 * what they received when the launcher asks.
 */
import Redis from 'ioredis';
import { monotonicUs } from '../protocol';
import { Recorder } from '../recorder';
import { serve } from '../serve';
import { SocketPool } from '../sockets';

serve(() => {
  const recorder = new Recorder();
  const pool = new SocketPool(recorder);
  const subscribers: Redis[] = [];
  return Promise.resolve({
    url: '',
    close: async () => {
      for (const subscriber of subscribers) subscriber.disconnect();
      await pool.closeAll();
    },
    handlers: {
      open: (request) => pool.open(request),
      'close-sockets': ({ group }) => pool.close(group),
      'subscribe-baseline': async ({ redisUrl, channel }) => {
        const subscriber = new Redis(redisUrl, { connectTimeout: 2_000, maxRetriesPerRequest: 1 });
        subscribers.push(subscriber);
        subscriber.on('message', (_channel: string, message: string) => {
          recorder.baseline(monotonicUs(), message);
        });
        await subscriber.subscribe(channel);
        return true;
      },
      collect: () => recorder.collect(pool.size),
      'broadcast-status': ({ broadcast }) => recorder.broadcast(broadcast),
    },
  });
});
