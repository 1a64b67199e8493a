/**
 * The browser objects the client uses, as small shapes a test can fake. Each is
 * an option of `createBffClient`; anything not given is the page's own global,
 * looked up when first used (so merely creating a client outside a browser works).
 */

/** `fetch` as the client calls it. */
export type FetchFunction = (url: string, init: RequestInit) => Promise<Response>;

/** What the client reads from and does with `window.location`. */
export interface LocationLike {
  readonly protocol: string;
  readonly host: string;
  readonly pathname: string;
  readonly search: string;
  assign(url: string): void;
}

/** The parts of a WebSocket `close` event the client reads. */
export interface SocketCloseEvent {
  readonly code: number;
  readonly reason: string;
}

/** The part of a WebSocket `message` event the client reads. */
export interface SocketMessageEvent {
  readonly data: unknown;
}

/** The parts of a browser `WebSocket` the client uses. */
export interface SocketLike {
  addEventListener(type: 'open', listener: () => void): void;
  addEventListener(type: 'message', listener: (event: SocketMessageEvent) => void): void;
  addEventListener(type: 'close', listener: (event: SocketCloseEvent) => void): void;
  close(code?: number, reason?: string): void;
}

/** A `WebSocket`-like class: `new WebSocket(url)`. */
export type SocketConstructor = new (url: string) => SocketLike;

/** The part of a `BroadcastChannel` `message` event the client reads. */
export interface ChannelMessageEvent {
  readonly data: unknown;
}

/** The parts of a browser `BroadcastChannel` the client uses (tab sync). */
export interface ChannelLike {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (event: ChannelMessageEvent) => void): void;
  close(): void;
}

/** A `BroadcastChannel`-like class: `new BroadcastChannel(name)`. */
export type ChannelConstructor = new (name: string) => ChannelLike;

/** What `setTimeout` returns; opaque to the client. */
export type TimerHandle = ReturnType<typeof setTimeout>;

/** The injectable browser globals (all optional in `createBffClient`'s options). */
export interface BrowserGlobals {
  fetch: FetchFunction;
  WebSocket: SocketConstructor;
  location: LocationLike;
  setTimeout: (callback: () => void, ms: number) => TimerHandle;
  clearTimeout: (handle: TimerHandle) => void;
  /** A number in [0, 1), as `Math.random`: the jitter of reconnect delays. */
  random: () => number;
  /**
   * Calls `listener` whenever the browser regains its network (the window's `online` event);
   * returns what stops that. A reconnect then happens at once instead of after its delay.
   */
  onOnline: (listener: () => void) => () => void;
  /**
   * Tab sync: a logout or an ended session reaches the other tabs of the origin through it.
   * `null` turns tab sync off; where the page has none, there is none either.
   */
  BroadcastChannel: ChannelConstructor | null;
  /** Milliseconds since the epoch, as `Date.now`: when the session's expiry falls. */
  now: () => number;
}

/** The globals as the client uses them internally. */
export interface Environment {
  fetch: FetchFunction;
  openSocket: (url: string) => SocketLike;
  location: () => LocationLike;
  setTimeout: (callback: () => void, ms: number) => TimerHandle;
  clearTimeout: (handle: TimerHandle) => void;
  random: () => number;
  onOnline: (listener: () => void) => () => void;
  /** A channel of that name, or undefined without tab sync. */
  openChannel: (name: string) => ChannelLike | undefined;
  now: () => number;
}

/** The window's `online` event, where there is a window (elsewhere: never). */
function windowOnline(listener: () => void): () => void {
  const target = (globalThis as { addEventListener?: EventTarget['addEventListener'] }).addEventListener;
  if (typeof target !== 'function') return () => undefined;
  globalThis.addEventListener('online', listener);
  return () => {
    globalThis.removeEventListener('online', listener);
  };
}

/**
 * Fills in the page's globals. They are wrapped rather than passed as they are:
 * browsers throw "Illegal invocation" when `fetch` or `setTimeout` run with another `this`.
 */
export function environmentOf(given: Partial<BrowserGlobals>): Environment {
  return {
    fetch: given.fetch ?? ((url, init) => globalThis.fetch(url, init)),
    openSocket: (url) => new (given.WebSocket ?? globalThis.WebSocket)(url),
    location: () => given.location ?? globalThis.location,
    setTimeout: given.setTimeout ?? ((callback, ms) => globalThis.setTimeout(callback, ms)),
    clearTimeout:
      given.clearTimeout ??
      ((handle) => {
        globalThis.clearTimeout(handle);
      }),
    random: given.random ?? (() => Math.random()),
    onOnline: given.onOnline ?? windowOnline,
    openChannel: (name) => {
      const Channel = given.BroadcastChannel === undefined ? pageChannel() : given.BroadcastChannel;
      return Channel ? new Channel(name) : undefined;
    },
    now: given.now ?? (() => Date.now()),
  };
}

/** The page's `BroadcastChannel`, where it has one (old browsers and some workers do not). */
function pageChannel(): ChannelConstructor | undefined {
  const { BroadcastChannel } = globalThis as { BroadcastChannel?: ChannelConstructor };
  return typeof BroadcastChannel === 'function' ? BroadcastChannel : undefined;
}
