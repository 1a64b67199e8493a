import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { MESSAGE_BUS, type MessageBus } from '@bff/cluster';
import { SessionConfig } from '@bff/config';
import { BffMetrics } from '@bff/metrics';
import {
  authenticationOf,
  idTokenClaims,
  readSessionRecord,
  sealableSessionRecord,
  type RouteToken,
  type SessionRecord,
  type SessionTokens,
} from './session-record';
import { SealOpenError, SessionSealer } from './session-sealer';
import { createTicket, detachTicket, formatTicket, parseTicket, type SessionTicket } from './session-ticket';
import { keptUserAgent, type SessionListingFacts } from './session-listing';
import { SESSION_STORE, type SessionStore } from './session.store';

/** A session opened for one request: its ticket, its record and when it ends. */
export interface OpenedSession {
  readonly ticket: SessionTicket;
  record: SessionRecord;
  /** Epoch ms: the earlier of the idle and the absolute expiry. */
  expiresAt: number;
}

/** What a login contributes to a new session. */
export interface NewSession {
  sub: string;
  sid?: string;
  claims: Record<string, unknown>;
  tokens: SessionTokens;
  /** The DPoP key the tokens are bound to (`OIDC_DPOP`), as its private JWK. */
  dpopKey?: SessionRecord['dpopKey'];
  /** The browser's `User-Agent` at login, for the sessions list (truncated, control characters removed). */
  userAgent?: string;
}

/** How {@link SessionService.open} treats the idle expiry. */
export interface OpenOptions {
  /** false: read the session without extending its idle expiry (nor its `lastSeenAt`). Default true. */
  slide?: boolean;
}

/** A short, non-reversible tag of a session id for logs (the id itself is half a credential). */
export function sessionTag(id: string): string {
  return createHash('sha256').update(id).digest('base64url').slice(0, 10);
}

/** Pub/sub channels on which instances tell each other to drop a cached session (the message is its id). */
export const SESSION_ENDED_CHANNEL = 'bff:ctl:session-ended';
export const SESSION_UPDATED_CHANNEL = 'bff:ctl:session-updated';

/** Bounds the hot-path cache; the oldest entry goes first. */
const CACHE_MAX_ENTRIES = 50_000;

interface CachedSession {
  secret: Buffer;
  record: SessionRecord;
  expiresAt: number;
  cachedAt: number;
}

/**
 * Creates, opens, updates and ends sessions. Knows about tickets, sealing and
 * lifetimes; knows nothing of HTTP.
 */
@Injectable()
export class SessionService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(SessionService.name);
  private readonly idleMs: number;
  private readonly absoluteMs: number;
  private readonly cacheMs: number;
  private readonly cache = new Map<string, CachedSession>();
  private readonly unsubscribes: (() => Promise<void>)[] = [];
  /** The clock; tests replace it to move through lifetimes without waiting. */
  now: () => number = Date.now;

  constructor(
    @Inject(SESSION_STORE) private readonly store: SessionStore,
    private readonly sealer: SessionSealer,
    config: SessionConfig,
    @Inject(MESSAGE_BUS) private readonly bus: MessageBus,
    private readonly metrics: BffMetrics,
  ) {
    this.idleMs = config.idleTimeoutSeconds * 1000;
    this.absoluteMs = config.absoluteTimeoutSeconds * 1000;
    this.cacheMs = config.cacheMs;
  }

  /** Listens for other instances ending or updating sessions, so their cached copies here are dropped. */
  async onModuleInit(): Promise<void> {
    const drop = (id: string): void => {
      this.cache.delete(id);
    };
    this.unsubscribes.push(await this.bus.subscribe(SESSION_ENDED_CHANNEL, drop));
    this.unsubscribes.push(await this.bus.subscribe(SESSION_UPDATED_CHANNEL, drop));
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all(this.unsubscribes.map((unsubscribe) => unsubscribe()));
  }

  /** Stores a new session under a fresh id (never reusing one: no fixation) and returns its cookie value. */
  async create(input: NewSession): Promise<{ cookieValue: string; session: OpenedSession }> {
    const now = this.now();
    const ticket = createTicket();
    const record: SessionRecord = {
      v: 1,
      sub: input.sub,
      sid: input.sid,
      claims: input.claims,
      tokens: input.tokens,
      createdAt: now,
      absoluteExpiresAt: now + this.absoluteMs,
      logoutSid: randomBytes(16).toString('base64url'),
      ...authenticationOf(input.claims),
      ...(input.dpopKey !== undefined ? { dpopKey: input.dpopKey } : {}),
    };
    const ttlMs = Math.min(this.idleMs, this.absoluteMs);
    const userAgent = keptUserAgent(input.userAgent);
    const facts: SessionListingFacts = {
      createdAt: now,
      ...(userAgent !== undefined ? { userAgent } : {}),
      ...(record.sid !== undefined ? { sid: record.sid } : {}),
    };
    await this.store.create(
      ticket.id,
      this.sealer.seal('session', ticket, sealableSessionRecord(record)),
      ttlMs,
      { sub: record.sub, sid: record.sid },
      this.absoluteMs,
      { sealed: this.sealer.sealForServer(ticket.id, facts), lastSeenAt: now },
    );
    this.metrics.sessions.inc({ event: 'created' });
    this.logger.log(`session ${sessionTag(ticket.id)} created for a login`);
    return { cookieValue: formatTicket(ticket), session: { ticket, record, expiresAt: now + ttlMs } };
  }

  /**
   * Opens the session a cookie names. A malformed, tampered, foreign, expired or
   * ended ticket is "no session" (undefined), never an error; only an unreachable
   * store throws. Slides the idle expiry when it has moved on enough to be worth a write,
   * unless `options.slide` is false.
   */
  async open(cookieValue: string | undefined, options: OpenOptions = {}): Promise<OpenedSession | undefined> {
    const ticket = parseTicket(cookieValue);
    if (!ticket) return undefined;
    return this.fromCache(ticket) ?? this.read(ticket, options.slide ?? true);
  }

  /**
   * The session a cookie names when this instance holds it in its cache, without waiting:
   * what {@link open} answers at once for most requests. Undefined says only "not cached
   * here" (a miss, no cookie, a bad one): {@link open} then decides.
   */
  cached(cookieValue: string | undefined): OpenedSession | undefined {
    const ticket = parseTicket(cookieValue);
    return ticket && this.fromCache(ticket);
  }

  /** Reads a session from the store, bypassing the cache (after taking the refresh lock, say). */
  async reload(ticket: SessionTicket): Promise<OpenedSession | undefined> {
    return this.read(ticket);
  }

  private fromCache(ticket: SessionTicket): OpenedSession | undefined {
    if (this.cacheMs === 0) return undefined;
    const entry = this.cache.get(ticket.id);
    if (!entry) return undefined;
    const now = this.now();
    if (now - entry.cachedAt >= this.cacheMs || entry.expiresAt <= now) {
      this.cache.delete(ticket.id);
      return undefined;
    }
    // The id alone must never open a cached session: the secret has to match too.
    if (!timingSafeEqual(entry.secret, ticket.secret)) return undefined;
    return { ticket, record: entry.record, expiresAt: entry.expiresAt };
  }

  private remember(session: OpenedSession): void {
    if (this.cacheMs === 0) return;
    const ticket = detachTicket(session.ticket);
    this.cache.delete(ticket.id);
    if (this.cache.size >= CACHE_MAX_ENTRIES) {
      const oldest = this.cache.keys().next();
      if (!oldest.done) this.cache.delete(oldest.value);
    }
    this.cache.set(ticket.id, {
      secret: ticket.secret,
      record: session.record,
      expiresAt: session.expiresAt,
      cachedAt: this.now(),
    });
  }

  private async read(ticket: SessionTicket, slide = true): Promise<OpenedSession | undefined> {
    const stored = await this.store.read(ticket.id);
    if (!stored) return undefined;
    let record: SessionRecord;
    try {
      record = readSessionRecord(this.sealer.open('session', ticket, stored.sealed));
    } catch (error) {
      if (!(error instanceof SealOpenError)) throw error;
      this.logger.warn(`session ${sessionTag(ticket.id)} did not open (${error.message}); treated as no session`);
      return undefined;
    }
    const now = this.now();
    if (record.absoluteExpiresAt <= now) {
      await this.store.delete(ticket.id, { sub: record.sub, sid: record.sid });
      return undefined;
    }
    const session: OpenedSession = { ticket, record, expiresAt: now + stored.ttlMs };
    if (slide) await this.slide(session, now);
    this.remember(session);
    return session;
  }

  /** Writes new tokens into a live session; false when the session ended meanwhile (nothing is resurrected). */
  async saveTokens(session: OpenedSession, tokens: SessionTokens): Promise<boolean> {
    // A refresh that brought a new ID token brings the provider's latest word on how the user authenticated.
    const claims = tokens.idToken === session.record.tokens.idToken ? undefined : idTokenClaims(tokens.idToken);
    // Only an ID token of the session's own user speaks for it.
    const authentication = claims?.sub === session.record.sub ? authenticationOf(claims) : undefined;
    return this.saveRecord(session, {
      ...session.record,
      tokens,
      ...authentication,
    });
  }

  /** Stores a route's token in a live session (as {@link saveTokens}: never resurrects an ended one). */
  async saveRouteToken(
    session: OpenedSession,
    route: string,
    token: RouteToken,
    rotatedRefreshToken?: string,
  ): Promise<boolean> {
    // A route token got through the refresh grant may come with a rotated refresh token: both in one write.
    const tokens =
      rotatedRefreshToken === undefined
        ? session.record.tokens
        : { ...session.record.tokens, refreshToken: rotatedRefreshToken };
    return this.saveRecord(session, {
      ...session.record,
      tokens,
      routeTokens: { ...session.record.routeTokens, [route]: token },
    });
  }

  private async saveRecord(session: OpenedSession, record: SessionRecord): Promise<boolean> {
    const saved = await this.store.replace(
      session.ticket.id,
      this.sealer.seal('session', session.ticket, sealableSessionRecord(record)),
    );
    this.cache.delete(session.ticket.id);
    if (!saved) return false;
    session.record = record;
    this.remember(session);
    await this.bus.publish(SESSION_UPDATED_CHANNEL, session.ticket.id);
    return true;
  }

  /** Ends a session and drops it from the logout indexes. */
  async end(session: OpenedSession): Promise<void> {
    await this.endById(session.ticket.id, { sub: session.record.sub, sid: session.record.sid });
  }

  /**
   * Ends a session known only by id (back-channel logout fan-out), telling every
   * instance to drop its cached copy and close its sockets.
   */
  async endById(id: string, index?: { sub: string; sid?: string }): Promise<void> {
    await this.remove(id, index);
    await this.announceEnd(id);
  }

  /**
   * Ends a session here and in the store at once, but leaves telling the instances (cached
   * copies dropped, its sockets closed with 4001) to the function returned. A login that
   * replaces the browser's session calls it once its answer, which sets the new cookie, is out:
   * a page whose socket closes then asks `/auth/user` with the new cookie, not the ended one.
   */
  async endUnannounced(session: OpenedSession): Promise<() => Promise<void>> {
    const id = session.ticket.id;
    await this.remove(id, { sub: session.record.sub, sid: session.record.sid });
    return () => this.announceEnd(id);
  }

  private async remove(id: string, index?: { sub: string; sid?: string }): Promise<void> {
    this.cache.delete(id);
    await this.store.delete(id, index);
    this.metrics.sessions.inc({ event: 'ended' });
  }

  private async announceEnd(id: string): Promise<void> {
    await this.bus.publish(SESSION_ENDED_CHANNEL, id);
    this.logger.log(`session ${sessionTag(id)} ended`);
  }

  private async slide(session: OpenedSession, now: number): Promise<void> {
    const slidTo = Math.min(now + this.idleMs, session.record.absoluteExpiresAt);
    // A write per request would double Redis traffic; a tenth of the idle window is slack enough.
    if (slidTo - session.expiresAt < this.idleMs / 10) return;
    // The same write records when the session was last seen, for the sessions list.
    if (await this.store.touch(session.ticket.id, slidTo - now, now)) session.expiresAt = slidTo;
  }
}
