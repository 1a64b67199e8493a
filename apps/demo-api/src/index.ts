export { createDemoApi } from './demo-api';
export type { DemoApi, DemoApiLogger, DemoApiOptions } from './demo-api';
export { dpopChallenge } from './dpop-presentation.verifier';
export type {
  DemoApiDpop,
  DemoApiDpopOptions,
  DemoApiDpopStats,
  DpopRejection,
  TokenType,
} from './dpop-presentation.verifier';
export { bffInternalPublisher, redisPublisher } from './notification.publisher';
export type {
  BffInternalPublisherOptions,
  NotificationFrame,
  NotificationPublisher,
  RedisPublisherOptions,
} from './notification.publisher';
export {
  DemoApiError,
  DpopRejectedError,
  IdpUnavailableError,
  InvalidRequestError,
  InvalidTokenError,
  PublishFailedError,
} from './demo-api.errors';
