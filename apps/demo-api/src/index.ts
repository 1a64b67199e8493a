export { createDemoApi } from './demo-api';
export type { DemoApi, DemoApiLogger, DemoApiOptions } from './demo-api';
export { bffInternalPublisher, redisPublisher } from './notification.publisher';
export type {
  BffInternalPublisherOptions,
  NotificationFrame,
  NotificationPublisher,
  RedisPublisherOptions,
} from './notification.publisher';
export {
  DemoApiError,
  IdpUnavailableError,
  InvalidRequestError,
  InvalidTokenError,
  PublishFailedError,
} from './demo-api.errors';
