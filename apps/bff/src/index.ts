export { AppModule } from './app.module';
export { createBffApp, type CreateBffAppOptions } from './create-bff-app';
