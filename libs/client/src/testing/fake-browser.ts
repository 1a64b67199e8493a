/**
 * Test doubles for the browser globals the client takes as options: a clock, a WebSocket
 * class whose sockets the test opens, feeds and closes, a location and a fetch that answers
 * with real `Response` objects. They record what the client did; none re-implements it.
 */
import type {
  ChannelConstructor,
  ChannelLike,
  ChannelMessageEvent,
  FetchFunction,
  LocationLike,
  SocketCloseEvent,
  SocketLike,
  SocketMessageEvent,
} from '../index.js';

/** Lets pending promise chains (and `Response` body reads) run to completion. */
export async function settle(): Promise<void> {
  for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setTimeout(resolve, 0));
}

/** A `setTimeout`/`clearTimeout` pair and a `Date.now` on a virtual clock that only `advance()` moves. */
export class FakeClock {
  private elapsed = 0;
  private lastId = 0;
  private readonly timers = new Map<number, { at: number; delay: number; callback: () => void }>();

  /** `epochMs` is what `now()` reads before any `advance()`. */
  constructor(private readonly epochMs = Date.parse('2030-01-01T00:00:00Z')) {}

  /** `Date.now` of this clock. */
  readonly now = (): number => this.epochMs + this.elapsed;

  readonly setTimeout = (callback: () => void, ms: number): number => {
    this.lastId += 1;
    this.timers.set(this.lastId, { at: this.elapsed + ms, delay: ms, callback });
    return this.lastId;
  };

  readonly clearTimeout = (handle: number): void => {
    this.timers.delete(handle);
  };

  /** Delays of the timers still pending, oldest first. */
  pendingDelays(): number[] {
    return [...this.timers.values()].map((timer) => timer.delay);
  }

  /** Moves time forward, firing every timer that falls due on the way, and lets promises settle after each. */
  async advance(ms: number): Promise<void> {
    const target = this.elapsed + ms;
    for (;;) {
      const due = [...this.timers.entries()]
        .filter(([, timer]) => timer.at <= target)
        .sort(([, a], [, b]) => a.at - b.at)[0];
      if (!due) break;
      const [id, timer] = due;
      this.timers.delete(id);
      this.elapsed = timer.at;
      timer.callback();
      await settle();
    }
    this.elapsed = target;
  }
}

interface Listeners {
  open: (() => void)[];
  message: ((event: SocketMessageEvent) => void)[];
  close: ((event: SocketCloseEvent) => void)[];
}

/** One socket the client opened; the test plays the server. */
export class FakeSocket implements SocketLike {
  /** Arguments of each `close()` the client called. */
  readonly closedByClient: { code?: number; reason?: string }[] = [];
  private readonly listeners: Listeners = { open: [], message: [], close: [] };

  constructor(readonly url: string) {}

  addEventListener(type: 'open', listener: () => void): void;
  addEventListener(type: 'message', listener: (event: SocketMessageEvent) => void): void;
  addEventListener(type: 'close', listener: (event: SocketCloseEvent) => void): void;
  addEventListener(type: keyof Listeners, listener: (event: never) => void): void {
    (this.listeners[type] as ((event: never) => void)[]).push(listener);
  }

  close(code?: number, reason?: string): void {
    this.closedByClient.push({ code, reason });
  }

  /** The upgrade succeeded. */
  open(): void {
    for (const listener of this.listeners.open) listener();
  }

  /** The server sent a text frame. */
  receive(data: unknown): void {
    const text = typeof data === 'string' ? data : JSON.stringify(data);
    for (const listener of this.listeners.message) listener({ data: text });
  }

  /** The connection closed (or never opened: a refused upgrade is 1006 in a browser). */
  serverClose(code: number, reason = ''): void {
    for (const listener of this.listeners.close) listener({ code, reason });
  }
}

/** A WebSocket class for the client's options, and every socket made through it. */
export function fakeWebSocket(): { WebSocket: new (url: string) => FakeSocket; sockets: FakeSocket[] } {
  const sockets: FakeSocket[] = [];
  class WebSocket extends FakeSocket {
    constructor(url: string) {
      super(url);
      sockets.push(this);
    }
  }
  return { WebSocket, sockets };
}

/** `window.location` of a page at `href`; `assigned` records navigations. */
export function fakeLocation(href = 'https://app.example/orders/7?tab=2'): LocationLike & { assigned: string[] } {
  const url = new URL(href);
  const assigned: string[] = [];
  return {
    protocol: url.protocol,
    host: url.host,
    pathname: url.pathname,
    search: url.search,
    assigned,
    assign: (target: string) => {
      assigned.push(target);
    },
  };
}

/** A request the client made, with its headers readable. */
export interface RecordedRequest {
  url: string;
  init: RequestInit;
  headers: Headers;
}

/** JSON response as the BFF sends it, with `headers` added (e.g. its `date`). */
export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
}

/**
 * A `fetch` that answers each request with `answer(request)`. Like a browser's, it rejects with
 * the signal's reason when the request is aborted before the answer, so an answer that never
 * settles lets timeouts be tested.
 */
export function fakeFetch(answer: (request: RecordedRequest) => Response | Promise<Response>): {
  fetch: FetchFunction;
  requests: RecordedRequest[];
} {
  const requests: RecordedRequest[] = [];
  const fetch: FetchFunction = (url, init) => {
    const request = { url, init, headers: new Headers(init.headers) };
    requests.push(request);
    return new Promise<Response>((resolve, reject) => {
      const signal = init.signal;
      signal?.addEventListener('abort', () => {
        reject(signal.reason as Error);
      });
      Promise.resolve(answer(request)).then(resolve, reject);
    });
  };
  return { fetch, requests };
}

/** An answer that never comes. */
export const never = (): Promise<Response> => new Promise<Response>(() => undefined);

/** The window's `online` event on demand: `goOnline()` fires it to every listener still registered. */
export function fakeNetwork(): {
  onOnline: (listener: () => void) => () => void;
  goOnline: () => void;
  listeners: () => number;
} {
  const listeners = new Set<() => void>();
  return {
    onOnline: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    goOnline: () => {
      for (const listener of [...listeners]) listener();
    },
    listeners: () => listeners.size,
  };
}

/**
 * `BroadcastChannel` between the clients of one test, as a browser's works: what one instance
 * posts, every other open instance of the same name receives, later and as a structured clone,
 * never the poster itself. `inject` plays another script of the origin posting to a channel.
 */
export function fakeBroadcastChannels(): {
  BroadcastChannel: ChannelConstructor;
  posted: { name: string; data: unknown }[];
  inject: (name: string, data: unknown) => void;
  open: () => string[];
} {
  const channels = new Set<FakeChannel>();
  const posted: { name: string; data: unknown }[] = [];
  const deliver = (from: FakeChannel | undefined, name: string, data: unknown): void => {
    for (const channel of channels) {
      if (channel === from || channel.name !== name) continue;
      const copy = structuredClone(data);
      setTimeout(() => {
        if (channels.has(channel)) for (const listener of channel.listeners) listener({ data: copy });
      }, 0);
    }
  };
  class FakeChannel implements ChannelLike {
    readonly listeners: ((event: ChannelMessageEvent) => void)[] = [];
    constructor(readonly name: string) {
      channels.add(this);
    }
    postMessage(data: unknown): void {
      if (!channels.has(this)) throw new Error('InvalidStateError: the channel is closed');
      posted.push({ name: this.name, data });
      deliver(this, this.name, data);
    }
    addEventListener(_type: 'message', listener: (event: ChannelMessageEvent) => void): void {
      this.listeners.push(listener);
    }
    close(): void {
      channels.delete(this);
    }
  }
  return {
    BroadcastChannel: FakeChannel,
    posted,
    inject: (name, data) => {
      deliver(undefined, name, data);
    },
    open: () => [...channels].map((channel) => channel.name),
  };
}
