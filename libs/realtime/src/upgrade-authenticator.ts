import type { IncomingMessage } from 'node:http';
import { Injectable, Logger } from '@nestjs/common';
import { ServerConfig } from '@bff/config';
import { toErrorResponse, type ErrorBody } from '@bff/errors';
import { SessionCookies, SessionService, type OpenedSession } from '@bff/session';
import { parse as parseCookies } from 'cookie';

/** The outcome of checking an upgrade request. */
export type UpgradeVerdict = { session: OpenedSession } | { status: number; body: ErrorBody };

/**
 * Decides whether a WebSocket upgrade may proceed, before it happens. Browsers
 * cannot add `X-CSRF` to a WebSocket, so the exact `Origin` check is the CSRF
 * defence here (403); then the same session cookie as HTTP must open a session (401).
 */
@Injectable()
export class UpgradeAuthenticator {
  private readonly logger = new Logger(UpgradeAuthenticator.name);
  private readonly allowedOrigins: Set<string>;
  private readonly accepted = new WeakMap<IncomingMessage, OpenedSession>();

  constructor(
    server: ServerConfig,
    private readonly sessions: SessionService,
    private readonly cookies: SessionCookies,
  ) {
    this.allowedOrigins = new Set(server.allowedOrigins);
  }

  async verify(request: IncomingMessage): Promise<UpgradeVerdict> {
    const origin = request.headers.origin;
    if (origin === undefined || !this.allowedOrigins.has(origin)) {
      this.logger.warn('WebSocket upgrade refused: origin not allowed');
      return {
        status: 403,
        body: { error: 'origin_not_allowed', message: 'This origin may not open the WebSocket.' },
      };
    }
    let session: OpenedSession | undefined;
    try {
      const cookie = parseCookies(request.headers.cookie ?? '')[this.cookies.sessionName];
      session = await this.sessions.open(cookie);
    } catch (error) {
      const { status, body } = toErrorResponse(error);
      return { status, body };
    }
    if (!session) {
      return {
        status: 401,
        body: { error: 'session_required', message: 'A valid session is required; log in at /auth/login.' },
      };
    }
    this.accepted.set(request, session);
    return { session };
  }

  /** The session a verified upgrade request was accepted for. */
  sessionOf(request: IncomingMessage): OpenedSession | undefined {
    return this.accepted.get(request);
  }
}
