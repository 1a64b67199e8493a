import { Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { ClusterModule, REDIS_CLIENT, type RedisClient } from '@bff/cluster';
import { SessionConfig } from '@bff/config';
import { MemorySessionStore } from './memory-session.store';
import { RedisSessionStore } from './redis-session.store';
import { RequestSessions } from './request-sessions';
import { SessionCookies } from './session-cookies';
import { SessionSealer } from './session-sealer';
import { SessionService } from './session.service';
import { SESSION_STORE, type SessionStore } from './session.store';
import { UserSessions } from './user-sessions';

/**
 * Sessions: the store, sealing and cookies. The store is Redis when
 * {@link ClusterModule} has a connection (REDIS_URL set), in memory otherwise;
 * ClusterModule owns that connection and warns when there is none.
 */
@Module({
  imports: [ClusterModule],
  providers: [
    {
      provide: SESSION_STORE,
      inject: [REDIS_CLIENT],
      useFactory: (redis: RedisClient | null): SessionStore =>
        redis ? new RedisSessionStore(redis) : new MemorySessionStore(),
    },
    {
      provide: SessionSealer,
      inject: [SessionConfig],
      useFactory: (config: SessionConfig) => new SessionSealer(config.secret, config.previousSecrets),
    },
    SessionService,
    SessionCookies,
    RequestSessions,
    UserSessions,
  ],
  exports: [SESSION_STORE, SessionSealer, SessionService, SessionCookies, RequestSessions, UserSessions],
})
export class SessionModule implements OnApplicationShutdown {
  constructor(@Inject(SESSION_STORE) private readonly store: SessionStore) {}

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}
