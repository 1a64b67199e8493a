import { DynamicModule, Global, Module } from '@nestjs/common';
import { BffConfig } from './bff-config';
import { OidcConfig } from './oidc.config';
import { ProxyConfig } from './proxy.config';
import { RedisConfig } from './redis.config';
import { ServerConfig } from './server.config';
import { SessionConfig } from './session.config';
import { RealtimeConfig } from './realtime.config';
import { TokenConfig } from './token.config';
import { TracingConfig } from './tracing.config';

/**
 * Provides the validated {@link BffConfig} and each of its sections, injectable
 * by class. The config is loaded before Nest starts (see `loadConfig`), so a bad
 * variable stops the process before any module is built.
 */
@Global()
@Module({})
export class BffConfigModule {
  static forRoot(config: BffConfig): DynamicModule {
    return {
      module: BffConfigModule,
      providers: [
        { provide: BffConfig, useValue: config },
        { provide: ServerConfig, useValue: config.server },
        { provide: OidcConfig, useValue: config.oidc },
        { provide: SessionConfig, useValue: config.session },
        { provide: RedisConfig, useValue: config.redis },
        { provide: ProxyConfig, useValue: config.proxy },
        { provide: TokenConfig, useValue: config.token },
        { provide: RealtimeConfig, useValue: config.realtime },
        { provide: TracingConfig, useValue: config.tracing },
      ],
      exports: [
        BffConfig,
        ServerConfig,
        OidcConfig,
        SessionConfig,
        RedisConfig,
        ProxyConfig,
        TokenConfig,
        RealtimeConfig,
        TracingConfig,
      ],
    };
  }
}
