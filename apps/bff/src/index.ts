export { AppModule } from './app.module';
export { createBffApp, type CreateBffAppOptions } from './create-bff-app';
export { contentSecurityPolicy } from './security-headers';
