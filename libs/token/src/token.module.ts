import { Module } from '@nestjs/common';
import { AuthModule } from '@bff/auth';
import { ClusterModule, REDIS_CLIENT, type RedisClient } from '@bff/cluster';
import { SessionModule, SessionSealer } from '@bff/session';
import { BffTracing, TracingModule } from '@bff/tracing';
import { MemoryClientTokenCache, RedisClientTokenCache, type ClientTokenCache } from './client-token.cache';
import { ClientTokens } from './client-tokens';
import { ExchangedTokens } from './exchanged-tokens';
import { NarrowedUserTokens } from './narrowed-user-tokens';
import { LocalRefreshLock, REFRESH_LOCK, type RefreshLock } from './refresh-lock';
import { RedisRefreshLock } from './redis-refresh-lock';
import { RouteTokens } from './route-tokens';
import { TracedRefreshLock } from './traced-refresh-lock';
import { CLIENT_TOKEN_CACHE } from './token.constants';
import { TokenRefresher } from './token-refresher';

/**
 * Tokens for upstream calls: the user's refreshed under a redlock lock (a local
 * lock for the single in-memory instance), the BFF's own client tokens shared
 * through a sealed cache, and exchanged tokens kept in the session; RouteTokens
 * picks by the route's policy.
 */
@Module({
  imports: [ClusterModule, SessionModule, AuthModule, TracingModule],
  providers: [
    {
      provide: REFRESH_LOCK,
      inject: [REDIS_CLIENT, BffTracing],
      useFactory: (redis: RedisClient | null, tracing: BffTracing): RefreshLock => {
        const lock = redis ? new RedisRefreshLock(redis) : new LocalRefreshLock();
        // Traced, each wait for the lock is a span (token-refresher.ts waits in refreshUnderLock).
        return tracing.enabled ? new TracedRefreshLock(lock, tracing) : lock;
      },
    },
    {
      provide: CLIENT_TOKEN_CACHE,
      inject: [REDIS_CLIENT, SessionSealer],
      useFactory: (redis: RedisClient | null, sealer: SessionSealer): ClientTokenCache =>
        redis ? new RedisClientTokenCache(redis, sealer) : new MemoryClientTokenCache(),
    },
    TokenRefresher,
    ClientTokens,
    ExchangedTokens,
    NarrowedUserTokens,
    RouteTokens,
  ],
  exports: [TokenRefresher, RouteTokens],
})
export class TokenModule {}
