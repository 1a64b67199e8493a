export { InProcessMessageBus, MESSAGE_BUS, type BusCounter, type MessageBus, type MessageHandler } from './message-bus';
export { MemorySessionStore } from './memory-session.store';
export { RedisMessageBus } from './redis-message-bus';
export { closeRedis, connectRedis, createRedisClient, REDIS_CLIENT, type RedisClient } from './redis-connection';
export { RedisSessionStore } from './redis-session.store';
export { SessionCookies } from './session-cookies';
export type { SessionRecord, SessionTokens } from './session-record';
export { SealOpenError, SessionSealer, type SealPurpose } from './session-sealer';
export { createTicket, detachTicket, formatTicket, parseTicket, type SessionTicket } from './session-ticket';
export { SessionStoreUnavailableError } from './session.errors';
export { SessionModule } from './session.module';
export {
  SESSION_ENDED_CHANNEL,
  SESSION_UPDATED_CHANNEL,
  SessionService,
  sessionTag,
  type NewSession,
  type OpenedSession,
} from './session.service';
export { SESSION_STORE, type SessionIndexKeys, type SessionStore, type StoredSession } from './session.store';
