import type { RedisClient } from '@bff/cluster';
import type { DpopPrivateJwk } from '@bff/dpop';
import type { SessionSealer, SessionTicket } from '@bff/session';

/** A token cached for a route: the BFF's own (client credentials) or a session's (exchange). */
export interface CachedToken {
  accessToken: string;
  accessTokenExpiresAt?: number;
  accessTokenIssuedAt: number;
  /** `DPoP` when the provider bound the token to a key; `Bearer` (or absent) otherwise. */
  tokenType?: string;
  /**
   * The key a bound client token is bound to, sealed with the token so that every instance that
   * reads the token can present it (RFC 9449).
   */
  dpopKey?: DpopPrivateJwk;
}

/** Redis key of a route's client token; the hash tag keeps it in one cluster slot. */
export const clientTokenKey = (route: string): string => `bff:client-token:{${route}}`;

/** Where the client tokens every instance shares are kept, sealed. */
export interface ClientTokenCache {
  read(route: string): Promise<CachedToken | undefined>;
  /** Keeps the token for `ttlMs` (its remaining lifetime). */
  write(route: string, token: CachedToken, ttlMs: number): Promise<void>;
}

/**
 * The seal of a client token: keyed by the server's session key (no browser holds
 * a part of it, unlike a session's), with the route as additional data, so a
 * Redis dump alone opens nothing and one route's entry cannot stand in for another's.
 */
function ticketOf(route: string): SessionTicket {
  return { id: `client-token:${route}`, secret: Buffer.from('bff client token') };
}

/** Client tokens in Redis: one sealed value per route, expiring with the token. */
export class RedisClientTokenCache implements ClientTokenCache {
  constructor(
    private readonly redis: RedisClient,
    private readonly sealer: SessionSealer,
  ) {}

  async read(route: string): Promise<CachedToken | undefined> {
    const sealed = await this.redis.get(clientTokenKey(route));
    if (sealed === null) return undefined;
    try {
      return this.sealer.open('client-token', ticketOf(route), sealed) as CachedToken;
    } catch {
      // Sealed under a key this instance no longer has: as good as absent; the next grant replaces it.
      return undefined;
    }
  }

  async write(route: string, token: CachedToken, ttlMs: number): Promise<void> {
    await this.redis.set(clientTokenKey(route), this.sealer.seal('client-token', ticketOf(route), token), 'PX', ttlMs);
  }
}

/** Client tokens for the single in-memory instance (no REDIS_URL). */
export class MemoryClientTokenCache implements ClientTokenCache {
  private readonly entries = new Map<string, { token: CachedToken; expiresAt: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  read(route: string): Promise<CachedToken | undefined> {
    const entry = this.entries.get(route);
    if (entry && entry.expiresAt <= this.now()) this.entries.delete(route);
    return Promise.resolve(entry && entry.expiresAt > this.now() ? entry.token : undefined);
  }

  write(route: string, token: CachedToken, ttlMs: number): Promise<void> {
    this.entries.set(route, { token, expiresAt: this.now() + ttlMs });
    return Promise.resolve();
  }
}
