import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { AuthModule } from '@bff/auth';
import {
  BffConfig,
  configFromOptions,
  OidcConfig,
  ProxyConfig,
  RealtimeConfig,
  RedisConfig,
  ServerConfig,
  SessionConfig,
  TokenConfig,
  TracingConfig,
  type BffOptions,
} from '@bff/config';
import { MetricsModule } from '@bff/metrics';
import { ProxyModule } from '@bff/proxy';
import { RealtimeModule } from '@bff/realtime';
import { SessionModule } from '@bff/session';
import { TokenModule } from '@bff/token';
import { TracingModule } from '@bff/tracing';
import { BffApiGuard } from './bff-api.guard';
import {
  BFF_ASYNC_OPTIONS_TYPE,
  BFF_MODULE_OPTIONS,
  BFF_OPTIONS_TYPE,
  ConfigurableBffModule,
} from './bff.module-definition';
import { HealthController } from './health.controller';
import { MetricsController } from './metrics.controller';
import { UserAccessTokens } from './user-access-tokens';

const SECTIONS = [
  [ServerConfig, (config: BffConfig) => config.server],
  [OidcConfig, (config: BffConfig) => config.oidc],
  [SessionConfig, (config: BffConfig) => config.session],
  [RedisConfig, (config: BffConfig) => config.redis],
  [ProxyConfig, (config: BffConfig) => config.proxy],
  [TokenConfig, (config: BffConfig) => config.token],
  [RealtimeConfig, (config: BffConfig) => config.realtime],
  [TracingConfig, (config: BffConfig) => config.tracing],
] as const;

/** The validated configuration and each of its sections, injectable by class. */
const CONFIG_PROVIDERS: Provider[] = [
  // Options are checked here, all problems at once, before any module that needs them is built.
  { provide: BffConfig, inject: [BFF_MODULE_OPTIONS], useFactory: (options: BffOptions) => configFromOptions(options) },
  ...SECTIONS.map(([section, pick]) => ({ provide: section, inject: [BffConfig], useFactory: pick })),
];

const FEATURES = [TracingModule, MetricsModule, SessionModule, AuthModule, TokenModule, ProxyModule, RealtimeModule];

/** Everything the BFF brings, added to what ConfigurableModuleBuilder made of the options. */
function withBff(module: DynamicModule): DynamicModule {
  return {
    ...module,
    // Global: the BFF's libs, and the host's controllers behind @BffApi(), resolve the config,
    // the session and the tokens from here without importing anything else.
    global: true,
    imports: [...(module.imports ?? []), ...FEATURES],
    controllers: [HealthController, MetricsController],
    providers: [...(module.providers ?? []), ...CONFIG_PROVIDERS, BffApiGuard, UserAccessTokens],
    exports: [
      ...CONFIG_PROVIDERS.map((provider) => (provider as { provide: unknown }).provide as typeof BffConfig),
      ...FEATURES,
      BffApiGuard,
      UserAccessTokens,
    ],
  };
}

/**
 * The BFF as a Nest module: `/auth/*`, `/api/*`, `/ws`, health and metrics,
 * and what a host's own endpoints need (`@BffApi()`, `@CurrentSession()`,
 * `UserAccessTokens`, `NotificationPublisher`). Import it once, in the root
 * module; then call `setupBff(app)` in `main.ts`.
 *
 * @example
 * BffModule.forRoot(bffOptionsFromEnv(process.env))
 * BffModule.forRootAsync({ imports: [ConfigModule], inject: [ConfigService], useFactory: (c) => ({ oidc: … }) })
 */
@Module({})
export class BffModule extends ConfigurableBffModule {
  static override forRoot(options: typeof BFF_OPTIONS_TYPE): DynamicModule {
    return withBff(super.forRoot(options));
  }

  static override forRootAsync(options: typeof BFF_ASYNC_OPTIONS_TYPE): DynamicModule {
    return withBff(super.forRootAsync(options));
  }
}
