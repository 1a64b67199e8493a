import { Module, type DynamicModule } from '@nestjs/common';
import { BffModule, type BffOptions } from '@bff/bff-module';
import { DashboardController } from './dashboard.controller';

/** A team's own Nest app with the BFF installed: one import, plus its own controllers. */
@Module({})
export class ExampleHostModule {
  static forRoot(options: BffOptions): DynamicModule {
    return {
      module: ExampleHostModule,
      imports: [BffModule.forRoot(options)],
      controllers: [DashboardController],
    };
  }
}
