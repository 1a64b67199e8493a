import { Module, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { ClusterModule, REDIS_CLIENT, type RedisClient } from '@bff/cluster';
import { SessionModule } from '@bff/session';
import { TracingModule } from '@bff/tracing';
import type { FastifyInstance } from 'fastify';
import { AuthController } from './auth.controller';
import { BackchannelLogoutService } from './backchannel-logout.service';
import { ClientAssertionKeys } from './client-assertion-keys';
import { ClientJwksController } from './client-jwks.controller';
import { InternalSessionsController } from './internal-sessions.controller';
import { LOGIN_TRANSACTION_STORE, type LoginTransactionStore } from './login-transaction.store';
import { LoginTransactions } from './login-transactions';
import { LoginService } from './login.service';
import { refuseUnencodedLogoutTokens } from './logout-token-request';
import { LogoutService } from './logout.service';
import { MemoryLoginTransactionStore } from './memory-login-transaction.store';
import { OidcClient } from './oidc-client';
import { PendingLoginCookies } from './pending-login-cookies';
import { RedisLoginTransactionStore } from './redis-login-transaction.store';
import { SessionsController } from './sessions.controller';
import { UserService } from './user.service';

/**
 * OpenID Connect login, user info and logout; discovers the provider at boot.
 * Pending logins are kept in Redis when {@link ClusterModule} has a connection,
 * in memory otherwise.
 */
@Module({
  imports: [ClusterModule, SessionModule, TracingModule],
  controllers: [AuthController, SessionsController, InternalSessionsController, ClientJwksController],
  providers: [
    {
      provide: LOGIN_TRANSACTION_STORE,
      inject: [REDIS_CLIENT],
      useFactory: (redis: RedisClient | null): LoginTransactionStore =>
        redis ? new RedisLoginTransactionStore(redis) : new MemoryLoginTransactionStore(),
    },
    ClientAssertionKeys,
    OidcClient,
    LoginTransactions,
    PendingLoginCookies,
    LoginService,
    LogoutService,
    UserService,
    BackchannelLogoutService,
  ],
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
