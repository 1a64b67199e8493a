import { Controller, Delete, Get, Header, HttpCode, Param, Req, Res, UseFilters } from '@nestjs/common';
import { ServerConfig } from '@bff/config';
import { BffExceptionFilter } from '@bff/errors';
import { RequestSessions, SessionCookies, UserSessions } from '@bff/session';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { UserSessionNotFoundError } from './auth.errors';
import { allowedOriginsOf, assertBrowserRequest } from './csrf';

/** One entry of `GET /auth/sessions`; times are ISO-8601 UTC, `null` when not known. */
export interface SessionListEntry {
  handle: string;
  createdAt: string | null;
  lastSeenAt: string | null;
  expiresAt: string;
  userAgent: string | null;
  current: boolean;
}

const iso = (epochMs: number | undefined): string | null =>
  epochMs === undefined ? null : new Date(epochMs).toISOString();

/**
 * `GET /auth/sessions` and `DELETE /auth/sessions/<handle>`: the caller's own sessions, in
 * every browser and device, and "sign out that one". Both need `X-CSRF: 1` and a session.
 */
// The BFF's own answers keep their JSON shape inside a host with other filters.
@UseFilters(BffExceptionFilter)
@Controller('auth/sessions')
export class SessionsController {
  private readonly allowedOrigins: ReadonlySet<string>;

  constructor(
    private readonly requests: RequestSessions,
    private readonly userSessions: UserSessions,
    private readonly cookies: SessionCookies,
    server: ServerConfig,
  ) {
    this.allowedOrigins = allowedOriginsOf(server);
  }

  @Get()
  @Header('Cache-Control', 'no-store')
  async list(@Req() request: FastifyRequest): Promise<SessionListEntry[]> {
    assertBrowserRequest(request.headers, this.allowedOrigins);
    const session = await this.requests.require(request);
    const summaries = await this.userSessions.list(session.record.sub, session.ticket.id);
    return summaries.map((summary) => ({
      handle: summary.handle,
      createdAt: iso(summary.createdAt),
      lastSeenAt: iso(summary.lastSeenAt),
      expiresAt: new Date(summary.expiresAt).toISOString(),
      userAgent: summary.userAgent ?? null,
      current: summary.current,
    }));
  }

  /** 204 once the session has ended everywhere; 404 `session_not_found` for any handle not the caller's. */
  @Delete(':handle')
  @HttpCode(204)
  @Header('Cache-Control', 'no-store')
  async end(
    @Req() request: FastifyRequest,
    @Param('handle') handle: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<void> {
    assertBrowserRequest(request.headers, this.allowedOrigins);
    const session = await this.requests.require(request);
    const ended = await this.userSessions.endByHandle(session.record.sub, handle);
    if (ended === undefined) throw new UserSessionNotFoundError();
    // Ending the caller's own session from the list is a logout: its cookie goes too.
    if (ended === session.ticket.id) reply.clearCookie(this.cookies.sessionName, this.cookies.clearOptions());
  }
}
