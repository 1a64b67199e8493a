import type { IncomingHttpHeaders } from 'node:http';
import { Injectable } from '@nestjs/common';
import { SessionRequiredError } from '@bff/errors';
import { parse as parseCookies } from 'cookie';
import { SessionCookies } from './session-cookies';
import { SessionService, type OpenedSession, type OpenOptions } from './session.service';

/** A request as far as finding its session goes: Fastify's (cookies parsed) or Node's (a Cookie header). */
export interface SessionBearingRequest {
  headers: IncomingHttpHeaders;
  cookies?: Record<string, string | undefined>;
}

/**
 * Opens the session a request's cookie names: the one place where the
 * controllers, the `/api` proxy, local APIs, logout and the WebSocket upgrade
 * read it, so that all of them agree on which cookie counts and what a
 * missing or unreadable one means (no session, never an error of its own).
 */
@Injectable()
export class RequestSessions {
  constructor(
    private readonly sessions: SessionService,
    private readonly cookies: SessionCookies,
  ) {}

  /** The session cookie's value, from Fastify's parsed cookies or the raw Cookie header. */
  cookieOf(request: SessionBearingRequest): string | undefined {
    if (request.cookies) return request.cookies[this.cookies.sessionName];
    const header = request.headers.cookie;
    return header === undefined ? undefined : parseCookies(header)[this.cookies.sessionName];
  }

  /** The request's session, or undefined when it has none that opens. */
  open(request: SessionBearingRequest, options?: OpenOptions): Promise<OpenedSession | undefined> {
    return this.sessions.open(this.cookieOf(request), options);
  }

  /** The request's session when it is in this instance's cache (see SessionService.cached); else see {@link open}. */
  cached(request: SessionBearingRequest): OpenedSession | undefined {
    return this.sessions.cached(this.cookieOf(request));
  }

  /** The request's session; 401 `session_required` when it has none. */
  async require(request: SessionBearingRequest, options?: OpenOptions): Promise<OpenedSession> {
    const session = await this.open(request, options);
    if (!session) throw new SessionRequiredError();
    return session;
  }
}
