import { Module } from '@nestjs/common';
import { SessionModule } from '@bff/session';
import { AuthController } from './auth.controller';
import { BackchannelLogoutService } from './backchannel-logout.service';
import { LoginTransactions } from './login-transactions';
import { LoginService } from './login.service';
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
export class AuthModule {}
