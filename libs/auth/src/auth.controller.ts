import { Body, Controller, Get, Header, HttpCode, Post, Query, Redirect, Req, Res, UseFilters } from '@nestjs/common';
import { BffExceptionFilter } from '@bff/errors';
import { RouteConfig } from '@nestjs/platform-fastify';
import { ServerConfig } from '@bff/config';
import { SessionCookies } from '@bff/session';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { BackchannelLogoutService } from './backchannel-logout.service';
import { allowedOriginsOf, assertBrowserRequest } from './csrf';
import { LoginService } from './login.service';
import { LOGOUT_TOKEN_ROUTE_CONFIG } from './logout-token-request';
import { LogoutService } from './logout.service';
import { whenClosed, whenUndelivered } from './response-delivery';
import { UserService, type UserInfo } from './user.service';

interface RedirectTo {
  url: string;
  statusCode: number;
}

function rawQueryOf(request: FastifyRequest): string {
  const index = request.url.indexOf('?');
  return index === -1 ? '' : request.url.slice(index + 1);
}

/** The BFF's management endpoints (Duende's Login, User, Logout). Thin: the services do the work. */
// The BFF's own answers keep their JSON shape inside a host with other filters.
@UseFilters(BffExceptionFilter)
@Controller('auth')
export class AuthController {
  private readonly allowedOrigins: ReadonlySet<string>;

  constructor(
    private readonly login: LoginService,
    private readonly logoutService: LogoutService,
    private readonly users: UserService,
    private readonly cookies: SessionCookies,
    private readonly backchannel: BackchannelLogoutService,
    server: ServerConfig,
  ) {
    this.allowedOrigins = allowedOriginsOf(server);
  }

  @Get('login')
  @Header('Cache-Control', 'no-store')
  @Redirect()
  async startLogin(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<RedirectTo> {
    const { authorizationUrl, loginCookie, dropped } = await this.login.begin(rawQueryOf(request), request.cookies);
    for (const name of dropped) reply.clearCookie(name, this.cookies.clearOptions());
    reply.setCookie(loginCookie.name, loginCookie.value, loginCookie.options);
    return { url: authorizationUrl, statusCode: 302 };
  }

  @Get('callback')
  @Header('Cache-Control', 'no-store')
  @Redirect()
  async callback(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<RedirectTo> {
    const query = rawQueryOf(request);
    const loginCookie = this.login.callbackCookie(query, request.cookies);
    // This login's cookie is spent whatever happens next; clear it before anything can throw.
    // The browser's other pending logins keep theirs.
    if (loginCookie.name !== undefined) reply.clearCookie(loginCookie.name, this.cookies.clearOptions());
    const outcome = await this.login.complete(
      query,
      loginCookie.ticketValue,
      request.cookies[this.cookies.sessionName],
      request.headers['user-agent'],
    );
    // prompt=none the provider could not honour: back to the SPA, which reads ?login_error=.
    if ('loginError' in outcome) return { url: outcome.returnTo, statusCode: 302 };
    const { sessionCookie, returnTo, session, announceReplaced } = outcome;
    // All or nothing: the redirect is written after this returns, and if it fails the
    // session would wait in the store, held by no browser.
    whenUndelivered(reply.raw, 302, () => void this.login.abandon(session));
    // The replaced session's sockets close (4001) once this answer is out: their pages then ask
    // /auth/user with the new cookie and carry on, where before it they would find no session.
    if (announceReplaced) whenClosed(reply.raw, () => void this.login.announceReplaced(announceReplaced));
    reply.setCookie(this.cookies.sessionName, sessionCookie, this.cookies.sessionOptions());
    return { url: returnTo, statusCode: 302 };
  }

  @Get('user')
  @Header('Cache-Control', 'no-store')
  async user(@Req() request: FastifyRequest, @Query('slide') slide: unknown): Promise<UserInfo> {
    assertBrowserRequest(request.headers, this.allowedOrigins);
    return this.users.current(request, slide);
  }

  @Get('logout')
  @Header('Cache-Control', 'no-store')
  @Redirect()
  async logout(
    @Req() request: FastifyRequest,
    @Query('sid') sid: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<RedirectTo> {
    const url = await this.logoutService.logout(request, sid);
    reply.clearCookie(this.cookies.sessionName, this.cookies.clearOptions());
    return { url, statusCode: 302 };
  }

  /**
   * OIDC Back-Channel Logout: the provider posts `logout_token` form-encoded; 200 with no
   * body on success. Any other content type is refused before parsing (see the route config).
   */
  @Post('backchannel-logout')
  @RouteConfig(LOGOUT_TOKEN_ROUTE_CONFIG)
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  async backchannelLogout(@Body() body: unknown): Promise<void> {
    const form = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
    await this.backchannel.logout(form.logout_token);
  }
}
