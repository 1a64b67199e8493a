import { Module } from '@nestjs/common';
import { AuthModule } from '@bff/auth';
import { ClusterModule, REDIS_CLIENT, type RedisClient } from '@bff/cluster';
import { SessionModule } from '@bff/session';
import { LocalRefreshLock, REFRESH_LOCK, type RefreshLock } from './refresh-lock';
import { RedisRefreshLock } from './redis-refresh-lock';
import { TokenRefresher } from './token-refresher';

/** Access-token refresh: redlock over Redis when configured, a local lock for the single in-memory instance. */
@Module({
  imports: [ClusterModule, SessionModule, AuthModule],
  providers: [
    {
      provide: REFRESH_LOCK,
      inject: [REDIS_CLIENT],
      useFactory: (redis: RedisClient | null): RefreshLock =>
        redis ? new RedisRefreshLock(redis) : new LocalRefreshLock(),
    },
    TokenRefresher,
  ],
  exports: [TokenRefresher],
})
export class TokenModule {}
