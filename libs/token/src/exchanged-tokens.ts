import { Inject, Injectable, Logger } from '@nestjs/common';
import { classifyIdpFailure, IdpUnavailableError, OidcClient, type TokenSet } from '@bff/auth';
import { TokenConfig, type UpstreamRoute } from '@bff/config';
import { SessionRequiredError } from '@bff/errors';
import { BffMetrics } from '@bff/metrics';
import { SessionService, type OpenedSession, type RouteToken } from '@bff/session';
import { cachedTokenOf } from './client-tokens';
import { REFRESH_LOCK, type RefreshLock } from './refresh-lock';
import { needsRefresh } from './token-freshness';
import { RouteGrantRefusedError, RouteTokenLockTimeoutError, TokenExchangeRefusedError } from './token.errors';

/** Redis key of one session's exchange lock for one route (in the session's cluster slot). */
export const exchangeLockKey = (sessionId: string, route: string): string =>
  `bff:lock:exchange:{${sessionId}}:${route}`;

/**
 * Tokens for `exchange` routes (RFC 8693): the session's user token exchanged
 * for the route's audience, cached in the session per route, obtained under
 * single flight in this instance and the session's per-route lock across
 * instances (the session is re-read under it), so one exchange per session per
 * route per token lifetime. Exchanged again once the user token was refreshed.
 */
@Injectable()
export class ExchangedTokens {
  private readonly logger = new Logger(ExchangedTokens.name);
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

  /**
   * The route's token for a session whose user token is fresh. `rejected` names
   * a token the upstream refused (401 invalid_token): that one is never returned again.
   */
  async get(session: OpenedSession, route: UpstreamRoute, rejected?: string): Promise<string> {
    const cached = session.record.routeTokens?.[route.name];
    if (cached && this.usable(cached, session, rejected)) return cached.accessToken;
    const key = `${session.ticket.id}:${route.name}`;
    let shared = this.inFlight.get(key);
    if (!shared) {
      shared = this.exchangeUnderLock(session, route, rejected).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, shared);
    }
    return shared;
  }

  /** Fresh, not the refused one, and exchanged from the user token the session holds now. */
  private usable(token: RouteToken, session: OpenedSession, rejected: string | undefined): boolean {
    return (
      token.accessToken !== rejected &&
      token.subjectIssuedAt === session.record.tokens.accessTokenIssuedAt &&
      !needsRefresh(token, this.now(), this.skewMs)
    );
  }

  private async exchangeUnderLock(
    session: OpenedSession,
    route: UpstreamRoute,
    rejected: string | undefined,
  ): Promise<string> {
    const held = await this.lock.acquire(
      exchangeLockKey(session.ticket.id, route.name),
      this.config.lockLeaseMs,
      this.config.lockWaitMs,
    );
    try {
      const current = await this.sessions.reload(session.ticket);
      if (!current) throw new SessionRequiredError();
      const cached = current.record.routeTokens?.[route.name];
      if (cached && this.usable(cached, current, rejected)) return cached.accessToken;
      if (!held) throw new RouteTokenLockTimeoutError();
      const exchanged = await this.exchange(current, route);
      const token: RouteToken = {
        ...cachedTokenOf(exchanged),
        subjectIssuedAt: current.record.tokens.accessTokenIssuedAt,
      };
      if (!(await this.sessions.saveRouteToken(current, route.name, token))) throw new SessionRequiredError();
      return token.accessToken;
    } finally {
      await held?.release();
    }
  }

  private async exchange(session: OpenedSession, route: UpstreamRoute): Promise<TokenSet> {
    const grant = 'token_exchange';
    try {
      const tokens = await this.oidc.exchange(session.record.tokens.accessToken, route);
      this.metrics.tokenGrants.inc({ grant, route: route.name, result: 'ok' });
      return tokens;
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
