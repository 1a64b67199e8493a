import { Module } from '@nestjs/common';
import { SessionModule } from '@bff/session';
import { TokenModule } from '@bff/token';
import { TracingModule } from '@bff/tracing';
import { ApiProxy } from './api-proxy';

/** The `/api` reverse proxy; `ApiProxy.plugin` is registered on Fastify by the app. */
@Module({
  imports: [SessionModule, TokenModule, TracingModule],
  providers: [ApiProxy],
  exports: [ApiProxy],
})
export class ProxyModule {}
