import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { AuthModule } from '@bff/auth';
import { BffConfig, BffConfigModule } from '@bff/config';
import { BffExceptionFilter } from '@bff/errors';
import { SessionModule } from '@bff/session';

/** The BFF: config first, then sessions, then the libs built on them. */
@Module({})
export class AppModule {
  static forRoot(config: BffConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [BffConfigModule.forRoot(config), SessionModule, AuthModule],
      providers: [{ provide: APP_FILTER, useClass: BffExceptionFilter }],
    };
  }
}
