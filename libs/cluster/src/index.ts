export { SessionStoreUnavailableError } from './cluster.errors';
export { ClusterModule } from './cluster.module';
export { MemorySingleUseGuard } from './memory-single-use-guard';
export { InProcessMessageBus, MESSAGE_BUS, type BusCounter, type MessageBus, type MessageHandler } from './message-bus';
export {
  closeRedis,
  connectRedis,
  createRedisClient,
  REDIS_CLIENT,
  REDIS_RECONNECT_MAX_DELAY_MS,
  type RedisClient,
} from './redis-connection';
export { RedisMessageBus } from './redis-message-bus';
export { RedisSingleUseGuard } from './redis-single-use-guard';
export { SINGLE_USE_GUARD, type SingleUseGuard } from './single-use-guard';
