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
export {
  CLIENT_AUTH_METHODS,
  ID_TOKEN_SIGNING_ALGS,
  LOGIN_PARAMETERS,
  MAX_LOGIN_PARAMETER_LENGTH,
  OidcConfig,
  type ClientAuthMethod,
  type DpopAlg,
  type IdTokenSigningAlg,
  type LoginParameter,
  type OidcProfile,
  type ParMode,
} from './oidc.config';
export {
  jwkThumbprintOf,
  readClientKeys,
  type ClientKeySet,
  type ClientPublicJwk,
  type ClientSigningAlg,
} from './client-keys';
export { FAPI2_ID_TOKEN_ALGS } from './oidc-client-rules';
export { ProxyConfig } from './proxy.config';
export { RealtimeConfig } from './realtime.config';
export { RedisConfig } from './redis.config';
export { ServerConfig } from './server.config';
export { SessionConfig } from './session.config';
export { TokenConfig } from './token.config';
export { OTLP_PROTOCOLS, TRACE_SAMPLERS, TracingConfig, type OtlpProtocol, type TraceSampler } from './tracing.config';
export { API_METHODS, ROUTE_TOKEN_POLICIES, UpstreamRoute, type RouteTokenPolicy } from './upstream-route';
