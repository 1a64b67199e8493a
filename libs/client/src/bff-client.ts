import { apiPath, validateReturnTo, websocketUrl } from './bff-paths.js';
import { parseUser, type BffUser } from './bff-user.js';
import { environmentOf, type BrowserGlobals } from './environment.js';
import { BffArgumentError, BffHttpError } from './errors.js';
import { readBody, timedFetch } from './http.js';
import { openNotifications, type BffNotifications, type NotificationOptions } from './notifications.js';

/** The anti-forgery header the BFF requires on `/auth/user` and `/api` (Duende BFF's convention). */
const CSRF_HEADER = 'X-CSRF';
const DEFAULT_TIMEOUT_MS = 10_000;

/** What `onUnauthenticated` learns about the call that answered 401, and what it can do about it. */
export interface UnauthenticatedEvent {
  route: string;
  path: string;
  method: string;
  error: BffHttpError;
  /** `bff.login()`: navigates to the login, returning to the current page. */
  login: () => void;
  /**
   * Asks for the failed call to be sent once more when the hook returns (or its promise
   * resolves), e.g. after a login in a pop-up. Without it the call rejects with `error`.
   */
  retry: () => void;
}

/**
 * Called when an `/api` call answers 401. The decision is a call to `event.retry()` rather than a
 * return value, so that both `({ login }) => login()` and an async hook type-check as they are.
 */
export type UnauthenticatedHook = (event: UnauthenticatedEvent) => void | Promise<void>;

/** Options of {@link createBffClient}; the browser globals default to the page's own. */
export interface BffClientOptions extends Partial<BrowserGlobals> {
  /** Where the BFF is: `''` (default) for the page's own origin, or a path prefix or origin without a trailing `/`. */
  baseUrl?: string;
  /** Bound of every HTTP call, until its answer has been read (default 10 s). */
  timeoutMs?: number;
  /**
   * Called when an `/api` call answers 401 (the session ended). Calls that fail together share
   * one invocation. Without it, or when it does not call `event.retry()`, the call rejects with
   * the 401 `BffHttpError`.
   */
  onUnauthenticated?: UnauthenticatedHook;
}

/** The client: every call goes to the BFF with the session cookie; no token ever passes through it. */
export interface BffClient {
  /** `GET /auth/user`: the logged-in user, or null without a session (401). Other answers reject. */
  user(): Promise<BffUser | null>;
  /** Navigates to `/auth/login`, coming back to `returnTo` (a path on this site, `''` for `/`; default the current page). */
  login(returnTo?: string): void;
  /** Navigates to the session's `logoutUrl`; resolves false, without navigating, when there is no session. */
  logout(): Promise<boolean>;
  /**
   * `init` sent to `/api/<route>/<path>` with `X-CSRF: 1`. Resolves with the response when it is a
   * 2xx; rejects with a `BffHttpError` (status and body) otherwise. The timeout covers the headers
   * only: the body is yours to read (pass `init.signal` to bound that too).
   */
  fetch(route: string, path: string, init?: RequestInit): Promise<Response>;
  /** Opens `/ws` (same cookie) and keeps it open: reconnects with back-off until the session ends or `close()`. */
  notifications(options?: NotificationOptions): BffNotifications;
}

/** Creates a client for the BFF serving this page. */
export function createBffClient(options: BffClientOptions = {}): BffClient {
  const env = environmentOf(options);
  const baseUrl = options.baseUrl ?? '';
  if (baseUrl.endsWith('/')) throw new BffArgumentError('baseUrl must not end with "/"');
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const onUnauthenticated = options.onUnauthenticated;
  let pendingHook: Promise<boolean> | undefined;

  async function user(): Promise<BffUser | null> {
    const url = `${baseUrl}/auth/user`;
    const init: RequestInit = { headers: { [CSRF_HEADER]: '1' }, credentials: 'same-origin' };
    return timedFetch(env, url, init, timeoutMs, async (response) => {
      if (response.status === 401) {
        await response.body?.cancel();
        return null;
      }
      const body = await readBody(response);
      if (!response.ok) throw new BffHttpError('GET', url, response.status, body);
      return parseUser(url, body);
    });
  }

  function login(returnTo?: string): void {
    const location = env.location();
    const target = validateReturnTo(returnTo ?? `${location.pathname}${location.search}`);
    location.assign(`${baseUrl}/auth/login?returnTo=${encodeURIComponent(target)}`);
  }

  async function logout(): Promise<boolean> {
    // Asked afresh: `sid` belongs to one session, and another tab may have logged in again since.
    const current = await user();
    if (!current) return false;
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

  /** One hook call for a burst of 401s (a pop-up per failed call would help nobody); true to retry. */
  function reauthenticate(event: Omit<UnauthenticatedEvent, 'retry'>, hook: UnauthenticatedHook): Promise<boolean> {
    const ask = async (): Promise<boolean> => {
      let retry = false;
      await hook({
        ...event,
        retry: () => {
          retry = true;
        },
      });
      return retry;
    };
    pendingHook ??= ask().finally(() => {
      pendingHook = undefined;
    });
    return pendingHook;
  }

  async function apiFetch(route: string, path: string, init: RequestInit = {}): Promise<Response> {
    const url = `${baseUrl}${apiPath(route, path)}`;
    try {
      return await send(url, init);
    } catch (error) {
      if (!(error instanceof BffHttpError) || error.status !== 401 || !onUnauthenticated) throw error;
      const method = error.method;
      const retry = await reauthenticate({ route, path, method, error, login: () => login() }, onUnauthenticated);
      // A stream was consumed by the first attempt and cannot be sent again.
      if (!retry || init.body instanceof ReadableStream) throw error;
      return send(url, init); // a second 401 rejects: the hook is asked once per call
    }
  }

  function notifications(notificationOptions?: NotificationOptions): BffNotifications {
    const url = websocketUrl(env.location(), baseUrl);
    const probe = async (): Promise<'active' | 'ended' | 'unknown'> => {
      try {
        return (await user()) ? 'active' : 'ended';
      } catch {
        return 'unknown'; // the BFF is down or odd: keep trying the socket, with back-off
      }
    };
    return openNotifications(env, url, probe, notificationOptions);
  }

  return { user, login, logout, fetch: apiFetch, notifications };
}
