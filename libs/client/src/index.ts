export { createBffClient, type BffClient, type BffClientOptions } from './bff-client.js';
export type { UnauthenticatedEvent, UnauthenticatedHook } from './unauthenticated.js';
export type { BffUser, UserOptions } from './bff-user.js';
export type { BffLoginOptions, StepUp } from './login-parameters.js';
export type { BffSessionInfo, BffSessions } from './sessions.js';
export type { BffClientEvents, SessionEndedBy } from './session-tracker.js';
export type { SessionWatchOptions } from './session-watch.js';
export type { TabMessage } from './tab-sync.js';
export { backoffDelay, type BackoffPolicy } from './backoff.js';
export type {
  BrowserGlobals,
  ChannelConstructor,
  ChannelLike,
  ChannelMessageEvent,
  FetchFunction,
  LocationLike,
  SocketCloseEvent,
  SocketConstructor,
  SocketLike,
  SocketMessageEvent,
  TimerHandle,
} from './environment.js';
export {
  BffArgumentError,
  BffClientError,
  BffHttpError,
  BffInvalidResponseError,
  BffNetworkError,
  BffTimeoutError,
} from './errors.js';
export type {
  BffNotifications,
  NotificationEvents,
  NotificationOptions,
  NotificationState,
  ServerFrame,
} from './notifications.js';
