import { Emitter, type Handler } from './emitter.js';
import type { Environment } from './environment.js';
import type { ManagedNotifications } from './notifications.js';
import { openTabChannel, type TabChannel, type TabMessage } from './tab-sync.js';

/** How a tab learnt that its session ended. */
export type SessionEndedBy =
  /** A 401 from `/auth/user`, `/auth/sessions` or an `/api` call (not a step-up). */
  | 'unauthenticated'
  /** A notifications socket closed with 4001. */
  | 'close-code'
  /** A notifications socket failed to connect and `/auth/user` then answered 401. */
  | 'session-probe'
  /** `bff.sessions().end()` ended this very session. */
  | 'sessions-api'
  /** Another tab of this origin saw it end (tab sync). */
  | 'other-tab';

/** The events of the client itself (`bff.on`), with their payloads. */
export interface BffClientEvents {
  /**
   * The session this tab knew of is over. Fired once per session, whoever saw it first: this
   * tab, or another one of the origin (then also when this tab has not seen it signed in).
   */
  'session-ended': { detectedBy: SessionEndedBy };
  /** Another tab logged out (`bff.logout()`), just before it navigated away. */
  'logged-out': { detectedBy: 'other-tab' };
  /** Another tab found a session this tab did not know of: a login completed there. */
  'signed-in': { sub: string; detectedBy: 'other-tab' };
  /**
   * `watchSession()`: the session ends at `expiresAt` unless something slides it first; fired
   * `warnBeforeMs` before, once per expiry.
   */
  expiring: { expiresAt: string; idleExpiresAt: string | undefined; absoluteExpiresAt: string | undefined };
}

type Known = { state: 'unknown' } | { state: 'signed-out' } | { state: 'signed-in'; sub: string };

/**
 * What this tab believes about the session, and the one place that changes it: it fires the
 * client's events, tells the other tabs, and stops this tab's notification streams when another
 * tab saw the session end. Announcing only changes keeps the tabs from echoing one another.
 */
export class SessionTracker {
  private known: Known = { state: 'unknown' };
  private readonly events = new Emitter<BffClientEvents>();
  private readonly streams = new Set<ManagedNotifications>();
  /** Opened when first needed (a listener, a stream, a message to send), so a bare client holds nothing open. */
  private channel: TabChannel | undefined;
  private closed = false;

  constructor(
    private readonly env: Environment,
    private readonly baseUrl: string,
  ) {}

  /** Listening to the other tabs from now on (until `close()`). */
  listen(): void {
    if (this.channel || this.closed) return;
    this.channel = openTabChannel(this.env, this.baseUrl, (message) => {
      this.receive(message);
    });
  }

  /** A handler of the client's events: they include the other tabs', so this listens to them. */
  on<K extends keyof BffClientEvents>(event: K, handler: Handler<BffClientEvents[K]>): () => void {
    this.listen();
    this.events.on(event, handler);
    return () => {
      this.off(event, handler);
    };
  }

  /** The client's own listener of the session's end (here or elsewhere); it opens nothing. */
  onEnd(listener: () => void): void {
    this.events.on('session-ended', listener);
    this.events.on('logged-out', listener);
  }

  off<K extends keyof BffClientEvents>(event: K, handler: Handler<BffClientEvents[K]>): void {
    this.events.off(event, handler);
  }

  emit<K extends keyof BffClientEvents>(event: K, payload: BffClientEvents[K]): void {
    this.events.emit(event, payload);
  }

  /** `/auth/user` answered with `sub`: the other tabs learn of a session new to this one. */
  userSeen(sub: string): void {
    if (this.known.state === 'signed-in' && this.known.sub === sub) return;
    this.known = { state: 'signed-in', sub };
    this.post({ type: 'signed-in', sub });
  }

  /**
   * `/auth/user` answered 401. Opening a page without a session is no news; losing the one this
   * tab knew of is.
   */
  noUser(detectedBy: 'unauthenticated' | 'session-probe'): void {
    if (this.known.state === 'signed-in') this.ended(detectedBy);
    else this.known = { state: 'signed-out' };
  }

  /** This tab saw the session end: it fires `session-ended` and tells the other tabs, once. */
  ended(detectedBy: Exclude<SessionEndedBy, 'other-tab'>): void {
    if (this.known.state === 'signed-out') return;
    this.known = { state: 'signed-out' };
    this.post({ type: 'session-ended' });
    this.events.emit('session-ended', { detectedBy });
  }

  /** `bff.logout()`, about to navigate: the other tabs hear of it now rather than from their sockets. */
  loggedOut(): void {
    this.known = { state: 'signed-out' };
    this.post({ type: 'logged-out' });
  }

  /** A stream to end when another tab sees the session end. */
  track(stream: ManagedNotifications): void {
    this.listen();
    for (const known of this.streams) if (known.state === 'closed') this.streams.delete(known);
    this.streams.add(stream);
  }

  close(): void {
    this.closed = true;
    this.channel?.close();
    this.channel = undefined;
  }

  private post(message: TabMessage): void {
    this.listen();
    this.channel?.post(message);
  }

  private receive(message: TabMessage): void {
    if (message.type === 'signed-in') {
      if (this.known.state === 'signed-in' && this.known.sub === message.sub) return;
      this.events.emit('signed-in', { sub: message.sub, detectedBy: 'other-tab' });
      return;
    }
    // The cookie is shared by every tab: the session is gone here too, whatever this tab thought.
    for (const stream of this.streams) stream.endSession();
    this.streams.clear();
    const wasSignedOut = this.known.state === 'signed-out';
    this.known = { state: 'signed-out' };
    if (wasSignedOut) return;
    if (message.type === 'logged-out') this.events.emit('logged-out', { detectedBy: 'other-tab' });
    else this.events.emit('session-ended', { detectedBy: 'other-tab' });
  }
}
