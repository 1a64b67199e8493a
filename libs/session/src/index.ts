export { MemorySessionStore } from './memory-session.store';
export { RedisSessionStore } from './redis-session.store';
export { RequestSessions, type SessionBearingRequest } from './request-sessions';
export { boundDpopKey, isDpopBound, rememberSessionDpopKey, sessionDpopKey } from './session-dpop-key';
export { SessionCookies } from './session-cookies';
export type { RouteToken, SessionRecord, SessionTokens } from './session-record';
export { SealOpenError, SessionSealer, type SealPurpose } from './session-sealer';
export { createTicket, detachTicket, formatTicket, parseTicket, type SessionTicket } from './session-ticket';
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
