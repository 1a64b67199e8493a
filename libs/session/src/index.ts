export { MemorySessionStore } from './memory-session.store';
export { RedisSessionStore } from './redis-session.store';
export { RequestSessions, type SessionBearingRequest } from './request-sessions';
export { boundDpopKey, isDpopBound, rememberSessionDpopKey, sessionDpopKey } from './session-dpop-key';
export { SessionCookies } from './session-cookies';
export {
  authenticationOf,
  type RouteToken,
  type SessionAuthentication,
  type SessionRecord,
  type SessionTokens,
} from './session-record';
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
  type OpenOptions,
} from './session.service';
export { keptUserAgent, type SessionListingFacts } from './session-listing';
export {
  SESSION_STORE,
  type ListedSession,
  type SessionIndexKeys,
  type SessionListingInfo,
  type SessionStore,
  type StoredSession,
} from './session.store';
export { UserSessions, type UserSessionSummary } from './user-sessions';
