import { OidcConfig } from './oidc.config';
import { ProxyConfig } from './proxy.config';
import { RedisConfig } from './redis.config';
import { ServerConfig } from './server.config';
import { SessionConfig } from './session.config';
import { RealtimeConfig } from './realtime.config';
import { TokenConfig } from './token.config';
import { TracingConfig } from './tracing.config';

/** The whole validated configuration, one section per area. Immutable after boot. */
export class BffConfig {
  constructor(
    readonly server: ServerConfig,
    readonly oidc: OidcConfig,
    readonly session: SessionConfig,
    readonly redis: RedisConfig,
    readonly proxy: ProxyConfig,
    readonly token: TokenConfig,
    readonly realtime: RealtimeConfig,
    readonly tracing: TracingConfig = new TracingConfig(),
  ) {}
}

/** The section classes, in the order the reference lists them. */
export const CONFIG_SECTIONS = [
  ServerConfig,
  OidcConfig,
  SessionConfig,
  TokenConfig,
  RedisConfig,
  ProxyConfig,
  RealtimeConfig,
  TracingConfig,
] as const;
