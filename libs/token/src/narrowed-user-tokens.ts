import { Inject, Injectable, Logger } from '@nestjs/common';
import { classifyIdpFailure, IdpUnavailableError, OidcClient } from '@bff/auth';
import { TokenConfig, type UpstreamRoute } from '@bff/config';
import { BffMetrics } from '@bff/metrics';
import { SessionService, sessionDpopKey, type OpenedSession } from '@bff/session';
import { REFRESH_LOCK, type RefreshLock } from './refresh-lock';
import { SessionRouteTokens, type RouteGrant } from './session-route-tokens';
import { refreshLockKey } from './token-refresher';
import { RefreshRejectedError, RouteGrantRefusedError } from './token.errors';

/**
 * Audience-restricted user tokens (RFC 8707) for `user`, `optional-user` and
 * `user-or-client` routes with a `resource`: the session's refresh token asked
 * for an access token meant for that resource only. The refresh token is spent
 * (and may be rotated) by this, so it happens under the session's refresh lock,
 * the one TokenRefresher takes, and the rotated refresh token is stored in the
 * same write as the route's token.
 */
@Injectable()
export class NarrowedUserTokens extends SessionRouteTokens {
  private readonly logger = new Logger(NarrowedUserTokens.name);

  constructor(
    private readonly oidc: OidcClient,
    sessions: SessionService,
    @Inject(REFRESH_LOCK) lock: RefreshLock,
    config: TokenConfig,
    private readonly metrics: BffMetrics,
  ) {
    super(sessions, lock, config);
  }

  protected lockKey(session: OpenedSession): string {
    return refreshLockKey(session.ticket.id);
  }

  protected async grant(session: OpenedSession, route: UpstreamRoute): Promise<RouteGrant> {
    const refreshToken = session.record.tokens.refreshToken;
    if (!refreshToken) {
      await this.sessions.end(session);
      throw new RefreshRejectedError('no refresh token was issued');
    }
    try {
      const tokens = await this.oidc.refresh(
        refreshToken,
        { resource: route.resource, scope: route.scope },
        sessionDpopKey(session.record),
      );
      this.metrics.tokenGrants.inc({ grant: 'refresh_token', route: route.name, result: 'ok' });
      return { tokens, rotatedRefreshToken: tokens.refreshToken };
    } catch (error) {
      const failure = classifyIdpFailure(error);
      const refused = 'rejected' in failure;
      this.metrics.tokenGrants.inc({
        grant: 'refresh_token',
        route: route.name,
        result: refused ? 'refused' : 'failed',
      });
      if (refused && (failure.rejected === 'invalid_grant' || failure.rejected === 'invalid_client')) {
        // The refresh token itself was refused: as for any refresh, the session is over.
        this.logger.warn(`narrowed refresh for route ${route.name} rejected (${failure.rejected}); session ended`);
        await this.sessions.end(session);
        throw new RefreshRejectedError(failure.rejected);
      }
      if (refused) throw new RouteGrantRefusedError('refresh_token', route.name, failure.rejected, error);
      if ('unavailable' in failure) throw failure.unavailable;
      throw new IdpUnavailableError(error);
    }
  }
}
