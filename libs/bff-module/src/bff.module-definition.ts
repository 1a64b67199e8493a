import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { BffOptions } from '@bff/config';

/**
 * `BffModule.forRoot(options)` and `BffModule.forRootAsync({ imports, inject, useFactory })`,
 * built by Nest's ConfigurableModuleBuilder as nestjs/throttler builds its module.
 */
export const {
  ConfigurableModuleClass: ConfigurableBffModule,
  MODULE_OPTIONS_TOKEN: BFF_MODULE_OPTIONS,
  OPTIONS_TYPE: BFF_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: BFF_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<BffOptions>().setClassMethodName('forRoot').build();
