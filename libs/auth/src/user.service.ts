import { Injectable } from '@nestjs/common';
import { SessionRequiredError } from '@bff/errors';
import { SessionService, type OpenedSession } from '@bff/session';

/** The body of `GET /auth/user`: claims and session facts, never a token. */
export interface UserInfo {
  sub: string;
  claims: Record<string, unknown>;
  sessionExpiresAt: string;
  logoutUrl: string;
}

/** `/auth/user`: what the SPA may know about its user. */
@Injectable()
export class UserService {
  constructor(private readonly sessions: SessionService) {}

  /** Describes the session a cookie names; 401 `session_required` when there is none. */
  async current(sessionCookie: string | undefined): Promise<UserInfo> {
    const session = await this.sessions.open(sessionCookie);
    if (!session) throw new SessionRequiredError();
    return this.describe(session);
  }

  describe(session: OpenedSession): UserInfo {
    return {
      sub: session.record.sub,
      claims: session.record.claims,
      sessionExpiresAt: new Date(session.expiresAt).toISOString(),
      logoutUrl: `/auth/logout?sid=${encodeURIComponent(session.record.logoutToken)}`,
    };
  }
}
