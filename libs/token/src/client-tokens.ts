import { Inject, Injectable, Logger } from '@nestjs/common';
import { classifyIdpFailure, IdpUnavailableError, OidcClient } from '@bff/auth';
import { TokenConfig, type UpstreamRoute } from '@bff/config';
import { DpopKey } from '@bff/dpop';
import { BffMetrics } from '@bff/metrics';
import type { TokenSet } from '@bff/auth';
import { boundDpopKey, isDpopBound, rememberSessionDpopKey } from '@bff/session';
import { CLIENT_TOKEN_CACHE } from './token.constants';
import type { CachedToken, ClientTokenCache } from './client-token.cache';
import { REFRESH_LOCK, type RefreshLock } from './refresh-lock';
import { needsRefresh } from './token-freshness';
import { RouteGrantRefusedError, RouteTokenLockTimeoutError } from './token.errors';

/** Redis key of a route's client-token lock. */
export const clientLockKey = (route: string): string => `bff:lock:client:{${route}}`;

/** How long a client token without `expires_in` is trusted before it is asked for again. */
const UNKNOWN_LIFETIME_MS = 5 * 60 * 1000;

/** A token's remaining time, and the expiry to trust when the IdP named none. */
export function cachedTokenOf(tokens: TokenSet): CachedToken {
  return {
    accessToken: tokens.accessToken,
    accessTokenIssuedAt: tokens.accessTokenIssuedAt,
    accessTokenExpiresAt: tokens.accessTokenExpiresAt ?? tokens.accessTokenIssuedAt + UNKNOWN_LIFETIME_MS,
    tokenType: tokens.tokenType,
  };
}

/** A client token as a route's credential, with the key it is bound to when the provider bound it (DPoP). */
function credentialOf(token: CachedToken): { accessToken: string; dpopKey?: DpopKey } {
  const dpopKey = boundDpopKey(token.tokenType, token);
  return dpopKey === undefined ? { accessToken: token.accessToken } : { accessToken: token.accessToken, dpopKey };
}

/**
 * The BFF's own tokens (client credentials) for `client` and `user-or-client`
 * routes: one per route, shared by every instance through the sealed cache,
 * renewed before expiry under `bff:lock:client:{<route>}`, so any number of
 * instances and requests make one grant per route per token lifetime. Each
 * instance also keeps the token in memory until it needs renewing.
 */
@Injectable()
export class ClientTokens {
  private readonly logger = new Logger(ClientTokens.name);
  private readonly local = new Map<string, CachedToken>();
  private readonly inFlight = new Map<string, Promise<CachedToken>>();
  private readonly skewMs: number;
  /** The clock; tests replace it. */
  now: () => number = Date.now;

  constructor(
    private readonly oidc: OidcClient,
    @Inject(CLIENT_TOKEN_CACHE) private readonly cache: ClientTokenCache,
    @Inject(REFRESH_LOCK) private readonly lock: RefreshLock,
    private readonly config: TokenConfig,
    private readonly metrics: BffMetrics,
  ) {
    this.skewMs = config.refreshSkewSeconds * 1000;
  }

  /**
   * A client token for the route, good to use now. `rejected` names a token the
   * upstream refused (401 invalid_token): that one is never returned again.
   */
  async get(route: UpstreamRoute, rejected?: string): Promise<string> {
    return (await this.cached(route, rejected)).accessToken;
  }

  /** As {@link get}, with the key the token is bound to when the provider bound it (DPoP). */
  async credential(route: UpstreamRoute, rejected?: string): Promise<{ accessToken: string; dpopKey?: DpopKey }> {
    return credentialOf(await this.cached(route, rejected));
  }

  /** As {@link credential}, when this instance holds a usable token for the route; undefined when it must ask. */
  credentialNow(route: UpstreamRoute): { accessToken: string; dpopKey?: DpopKey } | undefined {
    const cached = this.local.get(route.name);
    if (!cached || !this.usable(cached, undefined)) return undefined;
    return credentialOf(cached);
  }

  private async cached(route: UpstreamRoute, rejected: string | undefined): Promise<CachedToken> {
    const cached = this.local.get(route.name);
    if (cached && this.usable(cached, rejected)) return cached;
    let shared = this.inFlight.get(route.name);
    if (!shared) {
      shared = this.obtain(route, rejected).finally(() => this.inFlight.delete(route.name));
      this.inFlight.set(route.name, shared);
    }
    return shared;
  }

  private usable(token: CachedToken, rejected: string | undefined): boolean {
    return token.accessToken !== rejected && !needsRefresh(token, this.now(), this.skewMs);
  }

  private async obtain(route: UpstreamRoute, rejected: string | undefined): Promise<CachedToken> {
    const shared = await this.cache.read(route.name);
    if (shared && this.usable(shared, rejected)) return this.remember(route, shared);
    const held = await this.lock.acquire(clientLockKey(route.name), this.config.lockLeaseMs, this.config.lockWaitMs);
    try {
      // Another instance may have renewed it while this one waited: look again under the lock.
      const current = await this.cache.read(route.name);
      if (current && this.usable(current, rejected)) return this.remember(route, current);
      if (!held) throw new RouteTokenLockTimeoutError();
      // With OIDC_DPOP each client token is asked for bound to a key of its own, kept with it.
      const alg = this.oidc.sessionDpopAlg;
      const key = alg === undefined ? undefined : DpopKey.generate(alg);
      const granted = cachedTokenOf(await this.grant(route, key));
      const token: CachedToken =
        key !== undefined && isDpopBound(granted.tokenType)
          ? { ...granted, dpopKey: rememberSessionDpopKey(key) }
          : granted;
      await this.cache.write(route.name, token, Math.max(1, (token.accessTokenExpiresAt ?? 0) - this.now()));
      return this.remember(route, token);
    } finally {
      await held?.release();
    }
  }

  private remember(route: UpstreamRoute, token: CachedToken): CachedToken {
    this.local.set(route.name, token);
    return token;
  }

  private async grant(route: UpstreamRoute, key: DpopKey | undefined): Promise<TokenSet> {
    try {
      const tokens = await this.oidc.clientCredentials(route, key);
      this.metrics.tokenGrants.inc({ grant: 'client_credentials', route: route.name, result: 'ok' });
      this.logger.log(`client token obtained for route ${route.name}`);
      return tokens;
    } catch (error) {
      const failure = classifyIdpFailure(error);
      const refused = 'rejected' in failure;
      this.metrics.tokenGrants.inc({
        grant: 'client_credentials',
        route: route.name,
        result: refused ? 'refused' : 'failed',
      });
      if (refused) throw new RouteGrantRefusedError('client_credentials', route.name, failure.rejected, error);
      if ('unavailable' in failure) throw failure.unavailable;
      throw new IdpUnavailableError(error);
    }
  }
}
