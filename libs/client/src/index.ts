export {
  createBffClient,
  type BffClient,
  type BffClientOptions,
  type UnauthenticatedEvent,
  type UnauthenticatedHook,
} from './bff-client.js';
export type { BffUser } from './bff-user.js';
export { backoffDelay, type BackoffPolicy } from './backoff.js';
export type {
  BrowserGlobals,
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
