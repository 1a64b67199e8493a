import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { AuthModule } from '@bff/auth';
import { BffConfig, BffConfigModule } from '@bff/config';
import { BffExceptionFilter } from '@bff/errors';
import { MetricsModule } from '@bff/metrics';
import { ProxyModule } from '@bff/proxy';
import { RealtimeModule } from '@bff/realtime';
import { SessionModule } from '@bff/session';
import { TokenModule } from '@bff/token';
import { HealthController } from './health.controller';
import { MetricsController } from './metrics.controller';

/** The BFF: config first, then sessions, then the libs built on them. */
@Module({})
export class AppModule {
  static forRoot(config: BffConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        BffConfigModule.forRoot(config),
        MetricsModule,
        SessionModule,
        AuthModule,
        TokenModule,
        ProxyModule,
        RealtimeModule,
      ],
      controllers: [HealthController, MetricsController],
      providers: [{ provide: APP_FILTER, useClass: BffExceptionFilter }],
    };
  }
}
