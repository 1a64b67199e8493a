import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { BffExceptionFilter, BffModule, type BffOptions } from '@bff/bff-module';

/**
 * The standalone BFF: nothing but `BffModule`, like any host. Standalone, the
 * BFF's error shape applies to every route, unknown ones included; a host that
 * imports BffModule keeps its own filters for its own routes.
 */
@Module({})
export class AppModule {
  static forRoot(options: BffOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [BffModule.forRoot(options)],
      providers: [{ provide: APP_FILTER, useClass: BffExceptionFilter }],
    };
  }
}
