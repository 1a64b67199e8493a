import { Injectable, Logger } from '@nestjs/common';
import { OidcConfig } from '@bff/config';
import { describeChain } from '@bff/errors';
import { RequestSessions, SessionService, type SessionBearingRequest } from '@bff/session';
import { LogoutSidMismatchError } from './auth.errors';
import { OidcClient } from './oidc-client';
import { sameText } from './same-text';

/**
 * `/auth/logout?sid=`: the sid value (Duende's RequireLogoutSessionId) makes a
 * cross-site GET unable to log the user out. Ends the session, revokes the
 * refresh token, and sends the browser to the provider's end-session endpoint.
 */
@Injectable()
export class LogoutService {
  private readonly logger = new Logger(LogoutService.name);

  constructor(
    private readonly sessions: SessionService,
    private readonly requests: RequestSessions,
    private readonly oidcClient: OidcClient,
    private readonly config: OidcConfig,
  ) {}

  /** Returns where to redirect; throws when a live session's sid does not match (the session is kept). */
  async logout(request: SessionBearingRequest, sid: unknown): Promise<string> {
    const session = await this.requests.open(request);
    if (!session) return '/';
    if (typeof sid !== 'string' || !sameText(sid, session.record.logoutSid)) throw new LogoutSidMismatchError();
    await this.sessions.end(session);
    const { refreshToken, idToken } = session.record.tokens;
    if (refreshToken && this.config.revokeRefreshTokenOnLogout && this.oidcClient.supportsRevocation) {
      // The session is already gone locally; a failed revocation is logged, not shown to the user.
      await this.oidcClient.revoke(refreshToken, 'refresh_token').catch((error: unknown) => {
        this.logger.warn(`refresh token revocation failed: ${describeChain(error)}`);
      });
    }
    return this.oidcClient.endSessionUrl(idToken)?.href ?? '/';
  }
}
