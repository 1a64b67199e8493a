import type { TokenSet } from '@bff/auth';
import type { TokenConfig, UpstreamRoute } from '@bff/config';
import { SessionRequiredError } from '@bff/errors';
import type { OpenedSession, RouteToken, SessionService } from '@bff/session';
import { cachedTokenOf } from './client-tokens';
import type { RefreshLock } from './refresh-lock';
import { needsRefresh } from './token-freshness';
import { RouteTokenLockTimeoutError } from './token.errors';

/** What one grant for a route yields: the route's token, and the refresh token it rotated, if it spent one. */
export interface RouteGrant {
  tokens: TokenSet;
  rotatedRefreshToken?: string;
}

/**
 * A token per session per route, kept in the session: obtained under single
 * flight in this instance and a lock across instances, with the session re-read
 * under the lock (another instance may have stored one meanwhile), and obtained
 * again once the user's main token was refreshed. Subclasses say which lock and
 * which grant: token exchange, or the refresh grant narrowed to a resource.
 */
export abstract class SessionRouteTokens {
  private readonly inFlight = new Map<string, Promise<RouteToken>>();
  private readonly skewMs: number;
  /** The clock; tests replace it. */
  now: () => number = Date.now;

  protected constructor(
    protected readonly sessions: SessionService,
    private readonly lock: RefreshLock,
    private readonly config: TokenConfig,
  ) {
    this.skewMs = config.refreshSkewSeconds * 1000;
  }

  /** The lock that serialises this kind of grant for one session and route. */
  protected abstract lockKey(session: OpenedSession, route: UpstreamRoute): string;

  /** Asks the IdP for the route's token; throws the error the caller should see. */
  protected abstract grant(session: OpenedSession, route: UpstreamRoute): Promise<RouteGrant>;

  /**
   * The route's token for a session whose main user token is fresh. `rejected` names
   * a token the upstream refused (401 invalid_token): that one is never returned again.
   */
  async get(session: OpenedSession, route: UpstreamRoute, rejected?: string): Promise<RouteToken> {
    const cached = session.record.routeTokens?.[route.name];
    if (cached && this.usable(cached, session, rejected)) return cached;
    const key = `${session.ticket.id}:${route.name}`;
    let shared = this.inFlight.get(key);
    if (!shared) {
      shared = this.obtainUnderLock(session, route, rejected).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, shared);
    }
    return shared;
  }

  /**
   * The route's token when {@link get} would hand it over without waiting: cached in the session,
   * fresh, and obtained from the user token the session holds now. Undefined when a grant is due.
   */
  cachedNow(session: OpenedSession, route: UpstreamRoute): RouteToken | undefined {
    const cached = session.record.routeTokens?.[route.name];
    return cached && this.usable(cached, session, undefined) ? cached : undefined;
  }

  /** Fresh, not the refused one, and obtained from the user token the session holds now. */
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
  ): Promise<RouteToken> {
    const held = await this.lock.acquire(this.lockKey(session, route), this.config.lockLeaseMs, this.config.lockWaitMs);
    try {
      const current = await this.sessions.reload(session.ticket);
      if (!current) throw new SessionRequiredError();
      const cached = current.record.routeTokens?.[route.name];
      if (cached && this.usable(cached, current, rejected)) return cached;
      if (!held) throw new RouteTokenLockTimeoutError();
      const { tokens, rotatedRefreshToken } = await this.grant(current, route);
      const token: RouteToken = {
        ...cachedTokenOf(tokens),
        subjectIssuedAt: current.record.tokens.accessTokenIssuedAt,
        tokenType: tokens.tokenType,
      };
      if (!(await this.sessions.saveRouteToken(current, route.name, token, rotatedRefreshToken))) {
        throw new SessionRequiredError();
      }
      return token;
    } finally {
      await held?.release();
    }
  }
}
