import { Injectable } from '@nestjs/common';
import { RequestSessions, type OpenedSession, type SessionBearingRequest } from '@bff/session';

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
  constructor(private readonly sessions: RequestSessions) {}

  /** Describes the request's session; 401 `session_required` when there is none. */
  async current(request: SessionBearingRequest): Promise<UserInfo> {
    return this.describe(await this.sessions.require(request));
  }

  describe(session: OpenedSession): UserInfo {
    return {
      sub: session.record.sub,
      claims: session.record.claims,
      sessionExpiresAt: new Date(session.expiresAt).toISOString(),
      logoutUrl: `/auth/logout?sid=${encodeURIComponent(session.record.logoutSid)}`,
    };
  }
}
