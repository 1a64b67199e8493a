import { Inject, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { RedisConfig } from '@bff/config';
import { BffMetrics } from '@bff/metrics';
import { MemorySingleUseGuard } from './memory-single-use-guard';
import { InProcessMessageBus, MESSAGE_BUS, type MessageBus } from './message-bus';
import { closeRedis, connectRedis, createRedisClient, REDIS_CLIENT, type RedisClient } from './redis-connection';
import { RedisMessageBus } from './redis-message-bus';
import { RedisSingleUseGuard } from './redis-single-use-guard';
import { SINGLE_USE_GUARD, type SingleUseGuard } from './single-use-guard';

/**
 * What BFF instances share: the Redis command connection (when REDIS_URL is
 * set, proven by a round trip at boot), the message bus between instances and
 * the single-use guard. Without REDIS_URL each has an in-process stand-in and a
 * warning says this suits one development instance only. Closes the bus and
 * the connection on shutdown.
 */
@Module({
  providers: [
    {
      provide: REDIS_CLIENT,
      inject: [RedisConfig],
      useFactory: async (config: RedisConfig): Promise<RedisClient | null> => {
        if (config.url === undefined) {
          new Logger('ClusterModule').warn(
            'REDIS_URL is not set: sessions are kept in memory. Fine for one development instance; they are lost on restart and not shared between instances.',
          );
          return null;
        }
        const client = createRedisClient(config, 'commands');
        await connectRedis(client, config);
        return client;
      },
    },
    {
      provide: MESSAGE_BUS,
      inject: [REDIS_CLIENT, RedisConfig, BffMetrics],
      useFactory: async (redis: RedisClient | null, config: RedisConfig, metrics: BffMetrics): Promise<MessageBus> => {
        if (!redis) return new InProcessMessageBus(metrics.pubsubMessages);
        // A connection in subscriber mode can run no other command, so the bus gets its own.
        const subscriber = createRedisClient(config, 'subscriber');
        await connectRedis(subscriber, config);
        return new RedisMessageBus(redis, subscriber, metrics.pubsubMessages);
      },
    },
    {
      provide: SINGLE_USE_GUARD,
      inject: [REDIS_CLIENT],
      useFactory: (redis: RedisClient | null): SingleUseGuard =>
        redis ? new RedisSingleUseGuard(redis) : new MemorySingleUseGuard(),
    },
  ],
  exports: [REDIS_CLIENT, MESSAGE_BUS, SINGLE_USE_GUARD],
})
export class ClusterModule implements OnApplicationShutdown {
  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient | null,
    @Inject(MESSAGE_BUS) private readonly bus: MessageBus,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.bus.close();
    if (this.redis) await closeRedis(this.redis);
  }
}
