import { Inject, Injectable, Logger } from '@nestjs/common';
import { classifyIdpFailure, IdpUnavailableError, OidcClient, type TokenSet } from '@bff/auth';
import { TokenConfig, type UpstreamRoute } from '@bff/config';
import { SessionRequiredError } from '@bff/errors';
import { BffMetrics } from '@bff/metrics';
import { SessionService, type OpenedSession, type RouteToken } from '@bff/session';
import { cachedTokenOf } from './client-tokens';
import { REFRESH_LOCK, type RefreshLock } from './refresh-lock';
import { needsRefresh } from './token-freshness';
import { refreshLockKey } from './token-refresher';
import { RefreshRejectedError, RouteGrantRefusedError, RouteTokenLockTimeoutError } from './token.errors';

/**
 * Audience-restricted user tokens (RFC 8707) for `user`, `optional-user` and
 * `user-or-client` routes with a `resource`: the session's refresh token asked
 * for an access token meant for that resource only. Cached in the session per
 * route, obtained again after the user's main token is refreshed. The refresh
 * token is spent (and may be rotated) by this, so it happens under the
 * session's refresh lock, with the session re-read under it, and the rotated
 * refresh token is stored in the same write as the route's token.
 */
@Injectable()
export class NarrowedUserTokens {
  private readonly logger = new Logger(NarrowedUserTokens.name);
  private readonly inFlight = new Map<string, Promise<string>>();
  private readonly skewMs: number;
  /** The clock; tests replace it. */
  now: () => number = Date.now;

  constructor(
    private readonly oidc: OidcClient,
    private readonly sessions: SessionService,
    @Inject(REFRESH_LOCK) private readonly lock: RefreshLock,
    private readonly config: TokenConfig,
    private readonly metrics: BffMetrics,
  ) {
    this.skewMs = config.refreshSkewSeconds * 1000;
  }

  /** The route's token for a session whose main user token is fresh; never `rejected` again. */
  async get(session: OpenedSession, route: UpstreamRoute, rejected?: string): Promise<string> {
    const cached = session.record.routeTokens?.[route.name];
    if (cached && this.usable(cached, session, rejected)) return cached.accessToken;
    const key = `${session.ticket.id}:${route.name}`;
    let shared = this.inFlight.get(key);
    if (!shared) {
      shared = this.obtainUnderLock(session, route, rejected).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, shared);
    }
    return shared;
  }

  private usable(token: RouteToken, session: OpenedSession, rejected: string | undefined): boolean {
    return (
      token.accessToken !== rejected &&
      token.subjectIssuedAt === session.record.tokens.accessTokenIssuedAt &&
      !needsRefresh(token, this.now(), this.skewMs)
    );
  }

  private async obtainUnderLock(
    session: OpenedSession,
    route: UpstreamRoute,
    rejected: string | undefined,
  ): Promise<string> {
    const held = await this.lock.acquire(
      refreshLockKey(session.ticket.id),
      this.config.lockLeaseMs,
      this.config.lockWaitMs,
    );
    try {
      const current = await this.sessions.reload(session.ticket);
      if (!current) throw new SessionRequiredError();
      const cached = current.record.routeTokens?.[route.name];
      if (cached && this.usable(cached, current, rejected)) return cached.accessToken;
      if (!held) throw new RouteTokenLockTimeoutError();
      const narrowed = await this.narrow(current, route);
      const token: RouteToken = {
        ...cachedTokenOf(narrowed),
        subjectIssuedAt: current.record.tokens.accessTokenIssuedAt,
      };
      if (!(await this.sessions.saveRouteToken(current, route.name, token, narrowed.refreshToken))) {
        throw new SessionRequiredError();
      }
      return token.accessToken;
    } finally {
      await held?.release();
    }
  }

  private async narrow(session: OpenedSession, route: UpstreamRoute): Promise<TokenSet> {
    const refreshToken = session.record.tokens.refreshToken;
    if (!refreshToken) {
      await this.sessions.end(session);
      throw new RefreshRejectedError('no refresh token was issued');
    }
    try {
      const tokens = await this.oidc.refresh(refreshToken, { resource: route.resource, scope: route.scope });
      this.metrics.tokenGrants.inc({ grant: 'refresh_token', route: route.name, result: 'ok' });
      return tokens;
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
