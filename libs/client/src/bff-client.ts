import { apiPath, websocketUrl } from './bff-paths.js';
import { parseUser, type BffUser, type UserOptions } from './bff-user.js';
import { environmentOf, type BrowserGlobals } from './environment.js';
import { BffArgumentError, BffHttpError } from './errors.js';
import type { Handler } from './emitter.js';
import { readBody, timedFetch } from './http.js';
import { buildLoginUrl, stepUpOf, type BffLoginOptions } from './login-parameters.js';
import {
  openNotifications,
  type BffNotifications,
  type NotificationOptions,
  type SessionProbe,
} from './notifications.js';
import { createSessions, type BffSessions } from './sessions.js';
import { SessionTracker, type BffClientEvents } from './session-tracker.js';
import { SessionWatch, warnBeforeOf, type SessionWatchOptions } from './session-watch.js';
import { createHookAsker, type UnauthenticatedHook } from './unauthenticated.js';

export type { UnauthenticatedEvent, UnauthenticatedHook } from './unauthenticated.js';

/** The anti-forgery header the BFF requires on `/auth/user` and `/api` (Duende BFF's convention). */
const CSRF_HEADER = 'X-CSRF';
const DEFAULT_TIMEOUT_MS = 10_000;

/** Options of {@link createBffClient}; the browser globals default to the page's own. */
export interface BffClientOptions extends Partial<BrowserGlobals> {
  /** Where the BFF is: `''` (default) for the page's own origin, or a path prefix or origin without a trailing `/`. */
  baseUrl?: string;
  /** Bound of every HTTP call, until its answer has been read (default 10 s). */
  timeoutMs?: number;
  /**
   * Called when an `/api` call answers 401: the session ended, or (`reason: 'step_up_required'`)
   * the route wants a stronger login. Calls that fail together share one invocation. Without it,
   * or when it does not call `event.retry()`, the call rejects with the 401 `BffHttpError`.
   */
  onUnauthenticated?: UnauthenticatedHook;
}

/** The client: every call goes to the BFF with the session cookie; no token ever passes through it. */
export interface BffClient {
  /**
   * `GET /auth/user`: the logged-in user, or null without a session (401). Other answers reject.
   * `{ slide: false }` reads the session's status without counting as activity.
   */
  user(options?: UserOptions): Promise<BffUser | null>;
  /**
   * Navigates to `/auth/login`, coming back to `returnTo` (a path on this site, `''` for `/`;
   * default the current page). Options the BFF would refuse throw `BffArgumentError` first.
   */
  login(options?: string | BffLoginOptions): void;
  /** Tells the other tabs and navigates to the session's `logoutUrl`; resolves false, without either, when there is no session. */
  logout(): Promise<boolean>;
  /**
   * `init` sent to `/api/<route>/<path>` with `X-CSRF: 1`. Resolves with the response when it is a
   * 2xx; rejects with a `BffHttpError` (status and body) otherwise. The timeout covers the headers
   * only: the body is yours to read (pass `init.signal` to bound that too).
   */
  fetch(route: string, path: string, init?: RequestInit): Promise<Response>;
  /** Opens `/ws` (same cookie) and keeps it open: reconnects with back-off until the session ends or `close()`. */
  notifications(options?: NotificationOptions): BffNotifications;
  /** The user's sessions (`/auth/sessions`): list them, end one, end all others. */
  sessions(): BffSessions;
  /**
   * Reads `/auth/user?slide=false` and fires `expiring` `warnBeforeMs` before the session's
   * expiry; re-armed by every answer that moves it. Returns what stops the watch.
   */
  watchSession(options?: SessionWatchOptions): () => void;
  /** Adds a handler of a client event; returns what removes it again (the same as `off`). */
  on<K extends keyof BffClientEvents>(event: K, handler: Handler<BffClientEvents[K]>): () => void;
  off<K extends keyof BffClientEvents>(event: K, handler: Handler<BffClientEvents[K]>): void;
  /** Stops the session watch and leaves the tabs' channel (streams stay as they are). */
  close(): void;
}

/** Creates a client for the BFF serving this page. */
export function createBffClient(options: BffClientOptions = {}): BffClient {
  const env = environmentOf(options);
  const baseUrl = options.baseUrl ?? '';
  if (baseUrl.endsWith('/')) throw new BffArgumentError('baseUrl must not end with "/"');
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const askHook = options.onUnauthenticated && createHookAsker(options.onUnauthenticated);
  const tracker = new SessionTracker(env, baseUrl);
  let watch: SessionWatch | undefined;
  /** The BFF's clock minus this one's, from its latest `Date` header: expiries are the BFF's times. */
  let clockOffsetMs = 0;
  tracker.onEnd(() => watch?.ended());

  const currentPage = (): string => {
    const location = env.location();
    return `${location.pathname}${location.search}`;
  };

  /** `endedBy`: how a 401 here is reported when this tab knew a session; `null`: the caller reports it. */
  async function readUser(
    slide: boolean,
    endedBy: 'unauthenticated' | 'session-probe' | null = 'unauthenticated',
  ): Promise<BffUser | null> {
    const url = `${baseUrl}/auth/user${slide ? '' : '?slide=false'}`;
    const init: RequestInit = { headers: { [CSRF_HEADER]: '1' }, credentials: 'same-origin' };
    const current = await timedFetch(env, url, init, timeoutMs, async (response) => {
      const serverNow = Date.parse(response.headers.get('date') ?? '');
      if (!Number.isNaN(serverNow)) clockOffsetMs = serverNow - env.now();
      if (response.status === 401) {
        await response.body?.cancel();
        return null;
      }
      const body = await readBody(response);
      if (!response.ok) throw new BffHttpError('GET', url, response.status, body);
      return parseUser(url, body);
    });
    if (!current) {
      if (endedBy) tracker.noUser(endedBy);
      return null;
    }
    tracker.userSeen(current.sub);
    watch?.update(current, clockOffsetMs);
    return current;
  }

  function login(loginOptions: string | BffLoginOptions = {}): void {
    const given: unknown = typeof loginOptions === 'string' ? { returnTo: loginOptions } : loginOptions;
    if (typeof given !== 'object' || given === null) throw new BffArgumentError('login takes a returnTo or options');
    env.location().assign(buildLoginUrl(baseUrl, given, currentPage()));
  }

  async function logout(): Promise<boolean> {
    // Asked afresh: `sid` belongs to one session, and another tab may have logged in again since.
    const current = await readUser(true);
    if (!current) return false;
    tracker.loggedOut();
    env.location().assign(`${baseUrl}${current.logoutUrl}`);
    return true;
  }

  function send(url: string, init: RequestInit): Promise<Response> {
    const headers = new Headers(init.headers);
    headers.set(CSRF_HEADER, '1');
    const method = (init.method ?? 'GET').toUpperCase();
    return timedFetch(env, url, { credentials: 'same-origin', ...init, headers }, timeoutMs, async (response) => {
      if (!response.ok) throw new BffHttpError(method, url, response.status, await readBody(response));
      return response;
    });
  }

  async function sendSliding(url: string, init: RequestInit): Promise<Response> {
    const response = await send(url, init);
    watch?.slid();
    return response;
  }

  async function apiFetch(route: string, path: string, init: RequestInit = {}): Promise<Response> {
    const url = `${baseUrl}${apiPath(route, path)}`;
    try {
      return await sendSliding(url, init);
    } catch (error) {
      if (!(error instanceof BffHttpError) || error.status !== 401) throw error;
      const stepUp = error.errorCode === 'step_up_required' ? stepUpOf(error.body, baseUrl, currentPage()) : undefined;
      // A step-up keeps the session: only the route wants more of it.
      if (!stepUp) tracker.ended('unauthenticated');
      if (!askHook) throw error;
      const retry = await askHook({
        route,
        path,
        method: error.method,
        error,
        reason: stepUp ? 'step_up_required' : 'session_ended',
        stepUp,
        login: stepUp ? () => env.location().assign(stepUp.loginUrl) : () => login(),
      });
      // A stream was consumed by the first attempt and cannot be sent again.
      if (!retry || init.body instanceof ReadableStream) throw error;
      return sendSliding(url, init); // a second 401 rejects: the hook is asked once per call
    }
  }

  function notifications(notificationOptions?: NotificationOptions): BffNotifications {
    const url = websocketUrl(env.location(), baseUrl);
    const probe: SessionProbe = async (after) => {
      try {
        // After a 4001 the stream reports the end itself (`close-code`): the socket proved a session.
        return (await readUser(true, after === 'session-probe' ? 'session-probe' : null)) ? 'active' : 'ended';
      } catch {
        return 'unknown'; // the BFF is down or odd: keep trying the socket, with back-off
      }
    };
    const stream = openNotifications(env, url, probe, notificationOptions);
    tracker.track(stream);
    stream.on('session-ended', ({ detectedBy }) => {
      if (detectedBy !== 'other-tab') tracker.ended(detectedBy);
    });
    return stream;
  }

  const sessions = createSessions({
    baseUrl,
    send,
    onUnauthenticated: () => {
      tracker.ended('unauthenticated');
    },
    onCurrentEnded: () => {
      tracker.ended('sessions-api');
    },
  });

  function watchSession(watchOptions: SessionWatchOptions = {}): () => void {
    const started = new SessionWatch(
      env,
      warnBeforeOf(watchOptions),
      () => readUser(false),
      (payload) => {
        tracker.emit('expiring', payload);
      },
    );
    watch?.stop();
    watch = started;
    tracker.listen(); // another tab's logout ends the watch too
    started.checkNow();
    return () => {
      started.stop();
      if (watch === started) watch = undefined;
    };
  }

  return {
    user: (userOptions = {}) => readUser(userOptions.slide !== false),
    login,
    logout,
    fetch: apiFetch,
    notifications,
    sessions: () => sessions,
    watchSession,
    on: (event, handler) => tracker.on(event, handler),
    off: (event, handler) => {
      tracker.off(event, handler);
    },
    close: () => {
      watch?.stop();
      watch = undefined;
      tracker.close();
    },
  };
}
