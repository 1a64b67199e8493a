import { Inject, Injectable, Logger } from '@nestjs/common';
import { classifyIdpFailure, IdpUnavailableError, OidcClient } from '@bff/auth';
import { TokenConfig } from '@bff/config';
import { SessionRequiredError } from '@bff/errors';
import { BffMetrics } from '@bff/metrics';
import { SessionService, sessionDpopKey, sessionTag, type OpenedSession } from '@bff/session';
import { REFRESH_LOCK, type RefreshLock } from './refresh-lock';
import { needsRefresh } from './token-freshness';
import { RefreshLockTimeoutError, RefreshRejectedError } from './token.errors';

/** Redis key of a session's refresh lock; the hash tag puts it in the session's cluster slot. */
export const refreshLockKey = (sessionId: string): string => `bff:lock:refresh:{${sessionId}}`;

/**
 * Keeps a session's access token fresh with exactly one call to the token
 * endpoint however many requests, tabs and instances need it at once:
 * requests of this instance share one in-flight refresh (single flight);
 * instances take the per-session redlock lock, **re-read the session** once
 * they hold it, and refresh only if nobody did meanwhile.
 */
@Injectable()
export class TokenRefresher {
  private readonly logger = new Logger(TokenRefresher.name);
  private readonly inFlight = new Map<string, Promise<OpenedSession>>();
  private readonly skewMs: number;
  /** The clock that judges token expiry; tests replace it to move through a token's lifetime without waiting. */
  now: () => number = Date.now;

  constructor(
    private readonly sessions: SessionService,
    private readonly oidc: OidcClient,
    @Inject(REFRESH_LOCK) private readonly lock: RefreshLock,
    private readonly config: TokenConfig,
    private readonly metrics: BffMetrics,
  ) {
    this.skewMs = config.refreshSkewSeconds * 1000;
  }

  /**
   * The session with an access token good to use now; throws 401 when it cannot be
   * renewed, 503 when the IdP is away. `rejected` names a token an upstream refused
   * (401 invalid_token): a session still holding it is renewed even if not yet due.
   */
  async ensureFresh(session: OpenedSession, rejected?: string): Promise<OpenedSession> {
    if (!this.stale(session, rejected)) return session;
    const id = session.ticket.id;
    let shared = this.inFlight.get(id);
    if (!shared) {
      shared = this.refreshUnderLock(session, rejected).finally(() => this.inFlight.delete(id));
      this.inFlight.set(id, shared);
    }
    return shared;
  }

  /** The session's token is good to use now: what {@link ensureFresh} would hand back unchanged. */
  isFresh(session: OpenedSession): boolean {
    return !this.stale(session, undefined);
  }

  /** Due for renewal: close to expiry, or the very token an upstream just refused (401 invalid_token). */
  private stale(session: OpenedSession, rejected: string | undefined): boolean {
    const tokens = session.record.tokens;
    return tokens.accessToken === rejected || needsRefresh(tokens, this.now(), this.skewMs);
  }

  private async refreshUnderLock(session: OpenedSession, rejected: string | undefined): Promise<OpenedSession> {
    const stopWaitTimer = this.metrics.refreshLockWait.startTimer();
    const held = await this.lock.acquire(
      refreshLockKey(session.ticket.id),
      this.config.lockLeaseMs,
      this.config.lockWaitMs,
    );
    stopWaitTimer();
    if (!held) {
      // The wait ran out: maybe the holder finished just now. Look once more, then give up.
      const current = await this.currentOrEnded(session);
      if (!this.stale(current, rejected)) return current;
      this.metrics.tokenRefreshes.inc({ result: 'lock_timeout' });
      throw new RefreshLockTimeoutError();
    }
    try {
      const current = await this.currentOrEnded(session);
      if (!this.stale(current, rejected)) return current;
      return await this.refresh(current);
    } finally {
      await held.release();
    }
  }

  private async currentOrEnded(session: OpenedSession): Promise<OpenedSession> {
    const current = await this.sessions.reload(session.ticket);
    if (!current) throw new SessionRequiredError();
    return current;
  }

  private async refresh(session: OpenedSession): Promise<OpenedSession> {
    const tag = sessionTag(session.ticket.id);
    const old = session.record.tokens;
    if (!old.refreshToken) {
      this.metrics.tokenRefreshes.inc({ result: 'rejected' });
      await this.sessions.end(session);
      throw new RefreshRejectedError('no refresh token was issued');
    }
    let fresh;
    try {
      fresh = await this.oidc.refresh(old.refreshToken, {}, sessionDpopKey(session.record));
    } catch (error) {
      const failure = classifyIdpFailure(error);
      if ('rejected' in failure && (failure.rejected === 'invalid_grant' || failure.rejected === 'invalid_client')) {
        this.logger.warn(`refresh for session ${tag} rejected (${failure.rejected}); session ended`);
        this.metrics.tokenRefreshes.inc({ result: 'rejected' });
        await this.sessions.end(session);
        throw new RefreshRejectedError(failure.rejected);
      }
      // Network trouble, a provider fault or an odd answer: keep the session, a later request tries again.
      this.logger.warn(`refresh for session ${tag} failed; session kept`);
      this.metrics.tokenRefreshes.inc({ result: 'failed' });
      throw new IdpUnavailableError(error);
    }
    const saved = await this.sessions.saveTokens(session, {
      accessToken: fresh.accessToken,
      accessTokenExpiresAt: fresh.accessTokenExpiresAt,
      accessTokenIssuedAt: fresh.accessTokenIssuedAt,
      // Without rotation the provider sends no new refresh token; the old one stays valid.
      refreshToken: fresh.refreshToken ?? old.refreshToken,
      idToken: fresh.idToken ?? old.idToken,
      tokenType: fresh.tokenType,
      scope: fresh.scope ?? old.scope,
    });
    if (!saved) throw new SessionRequiredError();
    this.metrics.tokenRefreshes.inc({ result: 'ok' });
    this.logger.log(`access token refreshed for session ${tag}`);
    return session;
  }
}
