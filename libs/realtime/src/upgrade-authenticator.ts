import type { IncomingMessage } from 'node:http';
import { Injectable } from '@nestjs/common';
import { RealtimeConfig, ServerConfig } from '@bff/config';
import { detachTicket, RequestSessions, type OpenedSession } from '@bff/session';
import { OriginNotAllowedError, TooManySocketsError } from './realtime.errors';
import { SocketSlots } from './socket-slots';

/**
 * Decides whether a WebSocket upgrade may proceed, before it happens. Browsers
 * cannot add `X-CSRF` to a WebSocket, so the exact `Origin` check is the CSRF
 * defence here (403); then the same session cookie as HTTP must open a session
 * (401); then the session must have a socket slot left on this instance (429).
 */
@Injectable()
export class UpgradeAuthenticator {
  private readonly allowedOrigins: Set<string>;
  private readonly accepted = new WeakMap<IncomingMessage, OpenedSession>();
  // Per instance, not cluster-wide: a socket lives on the instance that accepted
  // it, and what the cap protects (memory, file descriptors) is this instance's.
  private readonly slots: SocketSlots;

  constructor(
    server: ServerConfig,
    realtime: RealtimeConfig,
    private readonly sessions: RequestSessions,
  ) {
    this.allowedOrigins = new Set(server.allowedOrigins);
    this.slots = new SocketSlots(realtime.maxSocketsPerSession);
  }

  /**
   * Resolves with the session the upgrade is accepted for, holding one of its
   * socket slots until the connection closes; rejects with the error to refuse
   * the upgrade with.
   */
  async verify(request: IncomingMessage): Promise<OpenedSession> {
    const origin = request.headers.origin;
    if (origin === undefined || !this.allowedOrigins.has(origin)) throw new OriginNotAllowedError();
    const session = await this.sessions.require(request);
    // Taken now, before the upgrade completes: counting registered sockets instead
    // would let concurrent upgrades of one session all pass while none is registered.
    // A detached copy of the id: the parsed one is a V8 slice of the upgrade's Cookie header, and
    // the release closure lives as long as the socket (bench:ws saw 2 KiB of header kept per socket).
    const release = this.slots.tryTake(detachTicket(session.ticket).id);
    if (!release) throw new TooManySocketsError(this.slots.max);
    // The slot follows the TCP connection, so every ending frees it: an upgrade
    // that fails after this, a refusal written later, a WebSocket closed or dropped.
    const connection = request.socket;
    if (connection.destroyed) release();
    else connection.once('close', release);
    this.accepted.set(request, session);
    return session;
  }

  /** The session a verified upgrade request was accepted for. */
  sessionOf(request: IncomingMessage): OpenedSession | undefined {
    return this.accepted.get(request);
  }

  /** Sockets (and verified upgrades still completing) the session holds on this instance. */
  socketsOf(sessionId: string): number {
    return this.slots.count(sessionId);
  }
}
