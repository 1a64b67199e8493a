import { Inject, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { RedisConfig, SessionConfig } from '@bff/config';
import { BffMetrics } from '@bff/metrics';
import { InProcessMessageBus, MESSAGE_BUS, type MessageBus } from './message-bus';
import { MemorySessionStore } from './memory-session.store';
import { closeRedis, connectRedis, createRedisClient, REDIS_CLIENT, type RedisClient } from './redis-connection';
import { RedisMessageBus } from './redis-message-bus';
import { RedisSessionStore } from './redis-session.store';
import { SessionCookies } from './session-cookies';
import { SessionSealer } from './session-sealer';
import { SessionService } from './session.service';
import { SESSION_STORE, type SessionStore } from './session.store';

/**
 * Sessions: the Redis connection (when REDIS_URL is set, proven at boot), the
 * store, sealing and cookies. Without REDIS_URL the in-memory store is used and
 * a warning says it suits one development instance only.
 */
@Module({
  providers: [
    {
      provide: REDIS_CLIENT,
      inject: [RedisConfig],
      useFactory: async (config: RedisConfig): Promise<RedisClient | null> => {
        if (config.url === undefined) return null;
        const client = createRedisClient(config, 'commands');
        await connectRedis(client, config);
        return client;
      },
    },
    {
      provide: SESSION_STORE,
      inject: [REDIS_CLIENT],
      useFactory: (redis: RedisClient | null): SessionStore => {
        if (redis) return new RedisSessionStore(redis);
        new Logger('SessionModule').warn(
          'REDIS_URL is not set: sessions are kept in memory. Fine for one development instance; they are lost on restart and not shared between instances.',
        );
        return new MemorySessionStore();
      },
    },
    {
      provide: MESSAGE_BUS,
      inject: [REDIS_CLIENT, RedisConfig, BffMetrics],
      useFactory: async (redis: RedisClient | null, config: RedisConfig, metrics: BffMetrics): Promise<MessageBus> => {
        if (!redis) return new InProcessMessageBus(metrics.pubsubMessages);
        const subscriber = createRedisClient(config, 'subscriber');
        await connectRedis(subscriber, config);
        return new RedisMessageBus(redis, subscriber, metrics.pubsubMessages);
      },
    },
    {
      provide: SessionSealer,
      inject: [SessionConfig],
      useFactory: (config: SessionConfig) => new SessionSealer(config.secret, config.previousSecrets),
    },
    SessionService,
    SessionCookies,
  ],
  exports: [REDIS_CLIENT, MESSAGE_BUS, SESSION_STORE, SessionSealer, SessionService, SessionCookies],
})
export class SessionModule implements OnApplicationShutdown {
  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient | null,
    @Inject(SESSION_STORE) private readonly store: SessionStore,
    @Inject(MESSAGE_BUS) private readonly bus: MessageBus,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.bus.close();
    await this.store.close();
    if (this.redis) await closeRedis(this.redis);
  }
}
