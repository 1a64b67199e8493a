export { BffConfig, CONFIG_SECTIONS } from './bff-config';
export { BffConfigModule } from './config.module';
export { renderConfigReference } from './config-reference';
export { ConfigValidationError } from './config-validation.error';
export { envVarsOf, type EnvVarSpec } from './env-var.decorator';
export {
  bffOptionsFromEnv,
  configFromOptions,
  loadConfig,
  type BffOptions,
  type RouteOptions,
  type SectionOptions,
} from './load-config';
export { OidcConfig } from './oidc.config';
export { ProxyConfig } from './proxy.config';
export { RealtimeConfig } from './realtime.config';
export { RedisConfig } from './redis.config';
export { ServerConfig } from './server.config';
export { SessionConfig } from './session.config';
export { TokenConfig } from './token.config';
export { API_METHODS, ROUTE_TOKEN_POLICIES, UpstreamRoute, type RouteTokenPolicy } from './upstream-route';
