export { createExampleHost } from './create-example-host';
export { DashboardController } from './dashboard.controller';
export { ExampleHostModule } from './example-host.module';
