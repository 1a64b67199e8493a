import { timingSafeEqual } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { SealOpenError, SessionSealer } from './session-sealer';
import type { SessionListingFacts } from './session-listing';
import { SessionService, sessionTag } from './session.service';
import { SESSION_STORE, type ListedSession, type SessionStore } from './session.store';

/** One entry of a user's sessions list: what `/auth/sessions` shows, never an id or a ticket. */
export interface UserSessionSummary {
  /** Opaque: an HMAC of the session id (see `SessionSealer.handleOf`). */
  handle: string;
  /** Epoch ms; undefined for a session created before listings were kept. */
  createdAt?: number;
  lastSeenAt?: number;
  /** Epoch ms: the earlier of the idle and the absolute expiry. */
  expiresAt: number;
  userAgent?: string;
  /** True for the session of the request that asked. */
  current: boolean;
}

/** A handle is 256 bits of HMAC in unpadded base64url; anything else names no session. */
const HANDLE = /^[A-Za-z0-9_-]{43}$/;

/**
 * The sessions of one user, across browsers and devices: listing them, finding one by its
 * handle, ending them (each as a logout does: every instance drops its cached copy and closes
 * its sockets). Works from the `sub` index and the listing info, never opening a session
 * record, which only its own cookie can.
 */
@Injectable()
export class UserSessions {
  private readonly logger = new Logger(UserSessions.name);

  constructor(
    @Inject(SESSION_STORE) private readonly store: SessionStore,
    private readonly sealer: SessionSealer,
    private readonly sessions: SessionService,
  ) {}

  /** The user's live sessions, the most recently created first; `currentId` marks the caller's own. */
  async list(sub: string, currentId: string): Promise<UserSessionSummary[]> {
    const now = this.sessions.now();
    const summaries = (await this.store.listBySub(sub)).map((listed): UserSessionSummary => {
      const facts = this.factsOf(listed);
      return {
        handle: this.sealer.handleOf(listed.id),
        ...(facts ? { createdAt: facts.createdAt } : {}),
        ...(listed.info ? { lastSeenAt: listed.info.lastSeenAt } : {}),
        expiresAt: now + listed.ttlMs,
        ...(facts?.userAgent !== undefined ? { userAgent: facts.userAgent } : {}),
        current: listed.id === currentId,
      };
    });
    return summaries.sort((a, b) => (b.createdAt ?? 0) - (a.createdAt ?? 0));
  }

  /**
   * Ends the user's session that `handle` names and returns its id; undefined when none of the
   * user's live sessions has that handle (unknown, malformed, another user's, already ended).
   */
  async endByHandle(sub: string, handle: string): Promise<string | undefined> {
    if (!HANDLE.test(handle)) return undefined;
    const wanted = Buffer.from(handle, 'utf8');
    for (const listed of await this.store.listBySub(sub)) {
      // Constant-time: a caller learns nothing about other handles from the time a miss takes.
      const candidate = Buffer.from(this.sealer.handleOf(listed.id), 'utf8');
      if (candidate.length === wanted.length && timingSafeEqual(candidate, wanted)) {
        await this.sessions.endById(listed.id, { sub, sid: this.factsOf(listed)?.sid });
        return listed.id;
      }
    }
    return undefined;
  }

  /** Ends every live session of the user; returns how many ended. */
  async endAll(sub: string): Promise<number> {
    const listed = await this.store.listBySub(sub);
    for (const session of listed) await this.sessions.endById(session.id, { sub, sid: this.factsOf(session)?.sid });
    return listed.length;
  }

  private factsOf(listed: ListedSession): SessionListingFacts | undefined {
    if (!listed.info) return undefined;
    try {
      return this.sealer.openForServer(listed.id, listed.info.sealed) as SessionListingFacts;
    } catch (error) {
      if (!(error instanceof SealOpenError)) throw error;
      // A server key rotated out of SESSION_PREVIOUS_SECRETS: the session is still listed, without its facts.
      this.logger.warn(`listing info of session ${sessionTag(listed.id)} did not open (${error.message})`);
      return undefined;
    }
  }
}
