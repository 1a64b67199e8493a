import { backoffDelay } from './backoff.js';
import { actionAfterClose } from './close-codes.js';
import { Emitter, type Handler } from './emitter.js';
import type { Environment, SocketLike, TimerHandle } from './environment.js';

/** A server → client frame: JSON `{ "type": "...", "data": ... }`. */
export interface ServerFrame {
  type: string;
  data?: unknown;
}

/** The events of {@link BffNotifications}, with their payloads. */
export interface NotificationEvents {
  /** A socket opened. The server may not have subscribed its channels yet: wait for `ready`. */
  open: undefined;
  /** The server subscribed the socket's channels (its `ready` frame): nothing published from now on is missed. */
  ready: { sub: string | undefined };
  /** Any other frame, e.g. `{ type: 'notification', data: { message: 'hi' } }`. */
  message: ServerFrame;
  /** A socket closed. Exactly one of `reconnecting`, `session-ended` or `stopped` follows. */
  close: { code: number; reason: string };
  /** A new socket opens after `delayMs`; `attempt` counts from 1 since the last connection that stayed up. */
  reconnecting: { attempt: number; delayMs: number };
  /**
   * The session is over: the BFF closed the socket with 4001 and `/auth/user` found no session
   * (a 4001 for a session that another tab's login replaced is followed by `reconnecting`), a
   * connect failed and `/auth/user` then answered 401, or another tab saw it end first. Final: no
   * reconnect follows; log in again.
   */
  'session-ended': { detectedBy: 'close-code' | 'session-probe' | 'other-tab' };
  /** The BFF closed the socket for a rule the page broke (1003, 1007, 1008, 1009). Final: no reconnect follows. */
  stopped: { code: number; reason: string };
}

/** Where the stream is: `closed` is final (after `close()`, `session-ended` or `stopped`). */
export type NotificationState = 'connecting' | 'open' | 'reconnecting' | 'closed';

/** Tuning of `bff.notifications()`; every field has a default. */
export interface NotificationOptions {
  /** Ceiling of the first reconnect delay, doubled per attempt (default 500 ms). */
  baseDelayMs?: number;
  /** Largest reconnect delay (default 30 s). */
  maxDelayMs?: number;
  /** A connection open this long resets the back-off to its first step (default 10 s). */
  stableAfterMs?: number;
  /** A socket not open within this is abandoned and retried (default 10 s). */
  connectTimeoutMs?: number;
}

/** The live notification stream of `bff.notifications()`. */
export interface BffNotifications {
  readonly state: NotificationState;
  /** Adds a handler; returns what removes it again (the same as `off`). */
  on<K extends keyof NotificationEvents>(event: K, handler: Handler<NotificationEvents[K]>): () => void;
  off<K extends keyof NotificationEvents>(event: K, handler: Handler<NotificationEvents[K]>): void;
  /** Closes the socket and stops reconnecting; no event fires after it. */
  close(): void;
}

/** The stream as the client keeps it: tab sync ends it when another tab saw the session end. */
export interface ManagedNotifications extends BffNotifications {
  /** Closes the socket and fires `session-ended` (`other-tab`), unless the stream is already final. */
  endSession(): void;
}

/**
 * Whether the browser still has a session, as `/auth/user` tells: `unknown` when the BFF did not
 * answer clearly. `after` says why it is asked: a 4001 close, or a connect that failed.
 */
export type SessionProbe = (after: 'close-code' | 'session-probe') => Promise<'active' | 'ended' | 'unknown'>;

const DEFAULTS: Required<NotificationOptions> = {
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  stableAfterMs: 10_000,
  connectTimeoutMs: 10_000,
};

/** Opens `/ws` and keeps it open until the session ends or `close()` is called. */
export function openNotifications(
  env: Environment,
  url: string,
  probeSession: SessionProbe,
  options: NotificationOptions = {},
): ManagedNotifications {
  const stream = new NotificationStream(env, url, probeSession, { ...DEFAULTS, ...options });
  stream.connect();
  return stream;
}

class NotificationStream implements ManagedNotifications {
  private current: NotificationState = 'connecting';
  private readonly events = new Emitter<NotificationEvents>();
  private socket: SocketLike | undefined;
  /** Reconnects since the last connection that stayed up. */
  private attempt = 0;
  /** One timer per phase: connect timeout, then stability, then the reconnect delay. */
  private timer: TimerHandle | undefined;
  /** True while the reconnect delay runs: the only phase that coming back online cuts short. */
  private waitingToReconnect = false;
  private readonly stopWatchingNetwork: () => void;

  constructor(
    private readonly env: Environment,
    private readonly url: string,
    private readonly probeSession: SessionProbe,
    private readonly options: Required<NotificationOptions>,
  ) {
    this.stopWatchingNetwork = env.onOnline(() => {
      // Back online: the delay only spaced out attempts against a network that was gone.
      if (this.waitingToReconnect) this.connect();
    });
  }

  get state(): NotificationState {
    return this.current;
  }

  on<K extends keyof NotificationEvents>(event: K, handler: Handler<NotificationEvents[K]>): () => void {
    this.events.on(event, handler);
    return () => {
      this.off(event, handler);
    };
  }

  off<K extends keyof NotificationEvents>(event: K, handler: Handler<NotificationEvents[K]>): void {
    this.events.off(event, handler);
  }

  close(): void {
    if (this.isClosed()) return;
    this.current = 'closed';
    this.clearTimer();
    this.stopWatchingNetwork();
    const socket = this.socket;
    this.socket = undefined;
    socket?.close(1000, 'closed by the page');
  }

  endSession(): void {
    if (this.isClosed()) return;
    this.clearTimer();
    const socket = this.socket;
    this.socket = undefined;
    socket?.close(1000, 'session ended in another tab');
    this.finish('session-ended', { detectedBy: 'other-tab' });
  }

  connect(): void {
    this.waitingToReconnect = false;
    this.current = 'connecting';
    const socket = this.env.openSocket(this.url);
    this.socket = socket;
    let opened = false;
    this.startTimer(this.options.connectTimeoutMs, () => {
      // A socket stuck in CONNECTING: drop it (its own close event is ignored) and count it as failed.
      this.socket = undefined;
      socket.close();
      this.onClose(1006, 'connect timeout', false);
    });
    socket.addEventListener('open', () => {
      if (this.socket !== socket) return;
      opened = true;
      this.current = 'open';
      this.startTimer(this.options.stableAfterMs, () => {
        this.attempt = 0;
      });
      this.events.emit('open', undefined);
    });
    socket.addEventListener('message', (event) => {
      if (this.socket === socket) this.onMessage(event.data);
    });
    socket.addEventListener('close', (event) => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      this.onClose(event.code, event.reason, opened);
    });
  }

  private onMessage(data: unknown): void {
    const frame = typeof data === 'string' ? parseFrame(data) : undefined;
    // The BFF sends only JSON text frames; anything else is not from it and is dropped.
    if (!frame) return;
    if (frame.type === 'ready') {
      const sub = (frame.data as { sub?: unknown } | undefined)?.sub;
      this.events.emit('ready', { sub: typeof sub === 'string' ? sub : undefined });
      return;
    }
    this.events.emit('message', frame);
  }

  private onClose(code: number, reason: string, opened: boolean): void {
    this.clearTimer();
    this.events.emit('close', { code, reason });
    if (this.isClosed()) return; // a `close` handler called close()
    const action = actionAfterClose(code);
    if (action === 'session-ended') {
      // 4001 ends the socket's session, which the cookie may no longer name: a login in another
      // tab replaces it. Only when /auth/user finds no session has the page's session ended.
      this.probeThen('close-code');
    } else if (action === 'stop') {
      this.finish('stopped', { code, reason });
    } else if (opened) {
      this.scheduleReconnect();
    } else {
      // A refused upgrade (401 without a session) reaches a browser only as 1006, with no status:
      // ask /auth/user before trying again, so an ended session does not retry forever.
      this.probeThen('session-probe');
    }
  }

  /**
   * Asks /auth/user whether the browser still has a session: if so a new socket follows (with
   * back-off), if not the stream ends. After a 4001 a BFF that cannot be asked counts as ended,
   * as the close said; after a failed connect it is tried again.
   */
  private probeThen(detectedBy: 'close-code' | 'session-probe'): void {
    this.current = 'reconnecting';
    void this.probeSession(detectedBy).then((probe) => {
      if (this.isClosed()) return;
      const ended = probe === 'ended' || (probe === 'unknown' && detectedBy === 'close-code');
      if (ended) this.finish('session-ended', { detectedBy });
      else this.scheduleReconnect();
    });
  }

  private scheduleReconnect(): void {
    this.attempt += 1;
    const delayMs = backoffDelay(this.attempt, this.options, this.env.random);
    this.current = 'reconnecting';
    this.startTimer(delayMs, () => {
      this.connect();
    });
    this.waitingToReconnect = true;
    this.events.emit('reconnecting', { attempt: this.attempt, delayMs });
  }

  private finish<K extends 'session-ended' | 'stopped'>(event: K, payload: NotificationEvents[K]): void {
    this.current = 'closed';
    this.stopWatchingNetwork();
    this.events.emit(event, payload);
  }

  /** Read through a method: TypeScript would otherwise keep the state narrowed across handler calls. */
  private isClosed(): boolean {
    return this.current === 'closed';
  }

  private startTimer(ms: number, callback: () => void): void {
    this.clearTimer();
    this.timer = this.env.setTimeout(() => {
      this.timer = undefined;
      callback();
    }, ms);
  }

  private clearTimer(): void {
    if (this.timer === undefined) return;
    this.env.clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/** The BFF's longest frame type: it refuses longer ones on publish and drops them on delivery. */
const MAX_FRAME_TYPE_LENGTH = 64;

/**
 * A text frame as `{ type, data }` with `type` a non-empty string of at most 64 characters, or
 * undefined when it is not one: the BFF's own check (`libs/realtime/src/frames.ts`, `parseFrame`).
 */
function parseFrame(text: string): ServerFrame | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const { type } = value as { type?: unknown };
  if (typeof type !== 'string' || type.length === 0 || type.length > MAX_FRAME_TYPE_LENGTH) return undefined;
  return value as ServerFrame;
}
