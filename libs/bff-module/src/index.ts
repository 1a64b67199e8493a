export { BffModule } from './bff.module';
export { BFF_MODULE_OPTIONS } from './bff.module-definition';
export { setupBff } from './setup-bff';
export { BffApi, CurrentSession, type BffApiOptions } from './bff-api.decorator';
export { BffApiGuard } from './bff-api.guard';
export type { BffSession } from './current-session';
export {
  UserAccessTokens,
  type AccessTokenRequest,
  type PresentationHeaders,
  type PresentedCall,
} from './user-access-tokens';
export { NoUserTokenForRouteError, UnknownTokenRouteError } from './bff-module.errors';
export {
  bffOptionsFromEnv,
  BffConfig,
  ConfigValidationError,
  configFromOptions,
  type BffOptions,
  type RouteOptions,
} from '@bff/config';
export { BffError, BffExceptionFilter } from '@bff/errors';
export { NotificationPublisher, type ServerFrame } from '@bff/realtime';
export { BffLogController } from './bff-log-controller';
export { ManagementListenError } from './bff-module.errors';
