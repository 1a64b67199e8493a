export { ApiProxy } from './api-proxy';
export {
  BodyTooLargeError,
  MethodNotAllowedError,
  UnknownRouteError,
  UnsafePathError,
  UpstreamTimeoutError,
  UpstreamUnavailableError,
} from './proxy.errors';
export { ProxyModule } from './proxy.module';
