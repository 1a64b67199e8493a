import { Injectable } from '@nestjs/common';
import { authenticationOf, RequestSessions, type OpenedSession, type SessionBearingRequest } from '@bff/session';
import { InvalidSlideError } from './auth.errors';

/** The body of `GET /auth/user`: claims and session facts, never a token. */
export interface UserInfo {
  sub: string;
  claims: Record<string, unknown>;
  /** ISO-8601 UTC: the earlier of the idle and the absolute expiry (the same as `idleExpiresAt`). */
  sessionExpiresAt: string;
  /** ISO-8601 UTC: when the session ends if it is not used again (never after `absoluteExpiresAt`). */
  idleExpiresAt: string;
  /** ISO-8601 UTC: when the session ends however much it is used. */
  absoluteExpiresAt: string;
  /** From the latest ID token, when it had them. */
  acr?: string;
  amr?: string[];
  /** ISO-8601 UTC: the ID token's `auth_time`. */
  authTime?: string;
  logoutUrl: string;
}

/**
 * The `slide` query parameter of `/auth/user`: absent or `true` extends the idle expiry as any
 * use does, `false` only reads (an SPA polling its session status must not keep it alive).
 * Anything else, a repeated parameter included, is 400 `invalid_slide`.
 */
export function parseSlide(value: unknown): boolean {
  if (value === undefined || value === 'true') return true;
  if (value === 'false') return false;
  throw new InvalidSlideError();
}

/** `/auth/user`: what the SPA may know about its user and its session. */
@Injectable()
export class UserService {
  constructor(private readonly sessions: RequestSessions) {}

  /** Describes the request's session; 401 `session_required` when there is none. */
  async current(request: SessionBearingRequest, slide?: unknown): Promise<UserInfo> {
    const options = { slide: parseSlide(slide) };
    return this.describe(await this.sessions.require(request, options));
  }

  describe(session: OpenedSession): UserInfo {
    const { record } = session;
    // Sessions sealed before these fields were kept still have them in their claims.
    const { acr, amr, authTime } = { ...authenticationOf(record.claims), ...definedOnly(record) };
    const expiresAt = new Date(session.expiresAt).toISOString();
    return {
      sub: record.sub,
      claims: record.claims,
      sessionExpiresAt: expiresAt,
      idleExpiresAt: expiresAt,
      absoluteExpiresAt: new Date(record.absoluteExpiresAt).toISOString(),
      ...(acr !== undefined ? { acr } : {}),
      ...(amr !== undefined ? { amr } : {}),
      ...(authTime !== undefined ? { authTime: new Date(authTime * 1000).toISOString() } : {}),
      logoutUrl: `/auth/logout?sid=${encodeURIComponent(record.logoutSid)}`,
    };
  }
}

function definedOnly(record: OpenedSession['record']): Pick<OpenedSession['record'], 'acr' | 'amr' | 'authTime'> {
  return {
    ...(record.acr !== undefined ? { acr: record.acr } : {}),
    ...(record.amr !== undefined ? { amr: record.amr } : {}),
    ...(record.authTime !== undefined ? { authTime: record.authTime } : {}),
  };
}
