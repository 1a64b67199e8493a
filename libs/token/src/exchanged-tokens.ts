import { Inject, Injectable, Logger } from '@nestjs/common';
import { classifyIdpFailure, IdpUnavailableError, OidcClient } from '@bff/auth';
import { TokenConfig, type UpstreamRoute } from '@bff/config';
import { BffMetrics } from '@bff/metrics';
import { SessionService, sessionDpopKey, type OpenedSession } from '@bff/session';
import { REFRESH_LOCK, type RefreshLock } from './refresh-lock';
import { SessionRouteTokens, type RouteGrant } from './session-route-tokens';
import { RouteGrantRefusedError, TokenExchangeRefusedError } from './token.errors';

/** Redis key of one session's exchange lock for one route (in the session's cluster slot). */
export const exchangeLockKey = (sessionId: string, route: string): string =>
  `bff:lock:exchange:{${sessionId}}:${route}`;

/**
 * Tokens for `exchange` routes (RFC 8693): the session's user token exchanged
 * for the route's audience, cached in the session per route under the session's
 * per-route exchange lock, so one exchange per session per route per token
 * lifetime; exchanged again once the user token was refreshed.
 */
@Injectable()
export class ExchangedTokens extends SessionRouteTokens {
  private readonly logger = new Logger(ExchangedTokens.name);

  constructor(
    private readonly oidc: OidcClient,
    sessions: SessionService,
    @Inject(REFRESH_LOCK) lock: RefreshLock,
    config: TokenConfig,
    private readonly metrics: BffMetrics,
  ) {
    super(sessions, lock, config);
  }

  protected lockKey(session: OpenedSession, route: UpstreamRoute): string {
    return exchangeLockKey(session.ticket.id, route.name);
  }

  protected async grant(session: OpenedSession, route: UpstreamRoute): Promise<RouteGrant> {
    const grant = 'token_exchange';
    try {
      // The exchanged token is asked for bound to the session's key too; the provider may not bind it.
      const tokens = await this.oidc.exchange(session.record.tokens.accessToken, route, sessionDpopKey(session.record));
      this.metrics.tokenGrants.inc({ grant, route: route.name, result: 'ok' });
      return { tokens };
    } catch (error) {
      const failure = classifyIdpFailure(error);
      const refused = 'rejected' in failure;
      this.metrics.tokenGrants.inc({ grant, route: route.name, result: refused ? 'refused' : 'failed' });
      if (refused) {
        this.logger.warn(`token exchange for route ${route.name} refused (${failure.rejected}); session kept`);
        // The user's token was not good enough for this audience: this call fails, the session does not.
        if (failure.rejected === 'invalid_grant') throw new TokenExchangeRefusedError(route.name, error);
        throw new RouteGrantRefusedError('token exchange', route.name, failure.rejected, error);
      }
      if ('unavailable' in failure) throw failure.unavailable;
      throw new IdpUnavailableError(error);
    }
  }
}
