export { LocalRefreshLock, REFRESH_LOCK, type HeldLock, type RefreshLock } from './refresh-lock';
export { RedisRefreshLock } from './redis-refresh-lock';
export { needsRefresh } from './token-freshness';
export { refreshLockKey, TokenRefresher } from './token-refresher';
export { RefreshLockTimeoutError, RefreshRejectedError } from './token.errors';
export { TokenModule } from './token.module';
