import { createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { SessionConfig } from '@bff/config';
import type { SessionRecord, SessionTokens } from './session-record';
import { SealOpenError, SessionSealer } from './session-sealer';
import { createTicket, formatTicket, parseTicket, type SessionTicket } from './session-ticket';
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
}

/** A short, non-reversible tag of a session id for logs (the id itself is half a credential). */
export function sessionTag(id: string): string {
  return createHash('sha256').update(id).digest('base64url').slice(0, 10);
}

/** The injectable clock, so lifetimes can be tested without waiting. */
export const SESSION_CLOCK = Symbol('SESSION_CLOCK');

/**
 * Creates, opens, updates and ends sessions. Knows about tickets, sealing and
 * lifetimes; knows nothing of HTTP.
 */
@Injectable()
export class SessionService {
  private readonly logger = new Logger(SessionService.name);
  private readonly idleMs: number;
  private readonly absoluteMs: number;

  constructor(
    @Inject(SESSION_STORE) private readonly store: SessionStore,
    private readonly sealer: SessionSealer,
    config: SessionConfig,
    @Inject(SESSION_CLOCK) private readonly now: () => number,
  ) {
    this.idleMs = config.idleTimeoutSeconds * 1000;
    this.absoluteMs = config.absoluteTimeoutSeconds * 1000;
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
      logoutToken: randomBytes(16).toString('base64url'),
    };
    const ttlMs = Math.min(this.idleMs, this.absoluteMs);
    await this.store.create(
      ticket.id,
      this.sealer.seal('session', ticket, record),
      ttlMs,
      { sub: record.sub, sid: record.sid },
      this.absoluteMs,
    );
    this.logger.log(`session ${sessionTag(ticket.id)} created for a login`);
    return { cookieValue: formatTicket(ticket), session: { ticket, record, expiresAt: now + ttlMs } };
  }

  /**
   * Opens the session a cookie names. A malformed, tampered, foreign, expired or
   * ended ticket is "no session" (undefined), never an error; only an unreachable
   * store throws. Slides the idle expiry when it has moved on enough to be worth a write.
   */
  async open(cookieValue: string | undefined): Promise<OpenedSession | undefined> {
    const ticket = parseTicket(cookieValue);
    if (!ticket) return undefined;
    const stored = await this.store.read(ticket.id);
    if (!stored) return undefined;
    let record: SessionRecord;
    try {
      record = this.sealer.open<SessionRecord>('session', ticket, stored.sealed);
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
    await this.slide(session, now);
    return session;
  }

  /** Writes new tokens into a live session; false when the session ended meanwhile (nothing is resurrected). */
  async saveTokens(session: OpenedSession, tokens: SessionTokens): Promise<boolean> {
    const record: SessionRecord = { ...session.record, tokens };
    const saved = await this.store.replace(session.ticket.id, this.sealer.seal('session', session.ticket, record));
    if (saved) session.record = record;
    return saved;
  }

  /** Ends a session and drops it from the logout indexes. */
  async end(session: OpenedSession): Promise<void> {
    await this.store.delete(session.ticket.id, { sub: session.record.sub, sid: session.record.sid });
    this.logger.log(`session ${sessionTag(session.ticket.id)} ended`);
  }

  private async slide(session: OpenedSession, now: number): Promise<void> {
    const slidTo = Math.min(now + this.idleMs, session.record.absoluteExpiresAt);
    // A write per request would double Redis traffic; a tenth of the idle window is slack enough.
    if (slidTo - session.expiresAt < this.idleMs / 10) return;
    if (await this.store.touch(session.ticket.id, slidTo - now)) session.expiresAt = slidTo;
  }
}
