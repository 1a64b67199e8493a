import { Module, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { SessionModule } from '@bff/session';
import type { FastifyInstance } from 'fastify';
import { AuthController } from './auth.controller';
import { BackchannelLogoutService } from './backchannel-logout.service';
import { LoginTransactions } from './login-transactions';
import { LoginService } from './login.service';
import { refuseUnencodedLogoutTokens } from './logout-token-request';
import { LogoutService } from './logout.service';
import { OidcClient } from './oidc-client';
import { UserService } from './user.service';

/** OpenID Connect login, user info and logout; discovers the provider at boot. */
@Module({
  imports: [SessionModule],
  controllers: [AuthController],
  providers: [OidcClient, LoginTransactions, LoginService, LogoutService, UserService, BackchannelLogoutService],
  exports: [OidcClient],
})
export class AuthModule implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  /** Runs before Fastify is ready, so the hook applies to the routes already declared. */
  onModuleInit(): void {
    // An application context without HTTP (a script, a unit test module) has no adapter.
    const adapter = this.adapterHost.httpAdapter as typeof this.adapterHost.httpAdapter | undefined;
    if (adapter) refuseUnencodedLogoutTokens(adapter.getInstance<FastifyInstance>());
  }
}
