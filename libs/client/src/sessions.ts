import { BffArgumentError, BffHttpError, BffInvalidResponseError } from './errors.js';
import { readBody } from './http.js';

/** One session of the logged-in user, as `GET /auth/sessions` lists them: one per browser or device. */
export interface BffSessionInfo {
  /** Opaque: what `end(handle)` takes. Never the session's cookie or id. */
  handle: string;
  /** ISO-8601 UTC: the login; null when the BFF does not know it (a session older than its listings). */
  createdAt: string | null;
  /** ISO-8601 UTC: the session's latest call; null when the BFF does not know it. */
  lastSeenAt: string | null;
  /** ISO-8601 UTC: when it ends without further activity. */
  expiresAt: string;
  /** The browser's `User-Agent` at the login; null when it sent none. */
  userAgent: string | null;
  /** The session of this browser. */
  current: boolean;
}

/** `bff.sessions()`: the user's sessions, and ending them ("sign out my other devices"). */
export interface BffSessions {
  /** `GET /auth/sessions`: every session of the logged-in user. */
  list(): Promise<BffSessionInfo[]>;
  /**
   * `DELETE /auth/sessions/<handle>`: that session ends everywhere at once (its sockets close).
   * An unknown handle, or another user's, rejects with a 404 `BffHttpError`. Ending this
   * browser's own session (known from the latest `list()`) ends it in every tab too.
   */
  end(handle: string): Promise<void>;
  /** Ends every session but this browser's; resolves with how many ended (one gone meanwhile is not counted). */
  endOthers(): Promise<number>;
}

/** The longest handle sent back: the BFF's are far shorter. */
const MAX_HANDLE_LENGTH = 512;

function isTimestamp(value: unknown): value is string {
  return typeof value === 'string' && !Number.isNaN(Date.parse(value));
}

function isTimestampOrNull(value: unknown): value is string | null {
  return value === null || isTimestamp(value);
}

/** Checks that a 200 body of `/auth/sessions` is a list of {@link BffSessionInfo}. */
export function parseSessions(url: string, body: unknown): BffSessionInfo[] {
  if (!Array.isArray(body)) throw new BffInvalidResponseError(url, 'not a JSON array');
  return body.map((item: unknown, index) => {
    const at = `session ${String(index)}`;
    if (typeof item !== 'object' || item === null) throw new BffInvalidResponseError(url, `${at} is not an object`);
    const { handle, createdAt, lastSeenAt, expiresAt, userAgent, current } = item as Partial<
      Record<keyof BffSessionInfo, unknown>
    >;
    if (typeof handle !== 'string' || handle.length === 0 || handle.length > MAX_HANDLE_LENGTH) {
      throw new BffInvalidResponseError(url, `${at}: \`handle\` is not a non-empty string`);
    }
    // The BFF sends null for a time it does not know (libs/auth/src/sessions.controller.ts).
    if (!isTimestampOrNull(createdAt) || !isTimestampOrNull(lastSeenAt) || !isTimestamp(expiresAt)) {
      throw new BffInvalidResponseError(
        url,
        `${at}: \`createdAt\`, \`lastSeenAt\` or \`expiresAt\` is not a timestamp`,
      );
    }
    if (userAgent !== undefined && userAgent !== null && typeof userAgent !== 'string') {
      throw new BffInvalidResponseError(url, `${at}: \`userAgent\` is not a string`);
    }
    if (typeof current !== 'boolean') throw new BffInvalidResponseError(url, `${at}: \`current\` is not a boolean`);
    return { handle, createdAt, lastSeenAt, expiresAt, userAgent: userAgent ?? null, current };
  });
}

/** What the sessions API needs from the client. */
export interface SessionsDependencies {
  baseUrl: string;
  /** `init` to `url` with `X-CSRF: 1`: the 2xx response, or a `BffHttpError`. */
  send: (url: string, init: RequestInit) => Promise<Response>;
  /** A 401: the session of this tab is over. */
  onUnauthenticated: () => void;
  /** This browser's own session was ended through the API. */
  onCurrentEnded: () => void;
}

/** The sessions API of one client; it remembers this browser's handle from the latest list. */
export function createSessions(deps: SessionsDependencies): BffSessions {
  let currentHandle: string | undefined;

  async function call<T>(url: string, init: RequestInit, read: (response: Response) => Promise<T>): Promise<T> {
    try {
      return await read(await deps.send(url, init));
    } catch (error) {
      if (error instanceof BffHttpError && error.status === 401) deps.onUnauthenticated();
      throw error;
    }
  }

  async function list(): Promise<BffSessionInfo[]> {
    const url = `${deps.baseUrl}/auth/sessions`;
    const sessions = await call(url, {}, async (response) => parseSessions(url, await readBody(response)));
    currentHandle = sessions.find((session) => session.current)?.handle;
    return sessions;
  }

  async function end(handle: string): Promise<void> {
    if (typeof handle !== 'string' || handle.length === 0 || handle.length > MAX_HANDLE_LENGTH) {
      throw new BffArgumentError('a session handle is a non-empty string, as sessions().list() returns it');
    }
    const url = `${deps.baseUrl}/auth/sessions/${encodeURIComponent(handle)}`;
    await call(url, { method: 'DELETE' }, async (response) => {
      await response.body?.cancel();
    });
    if (handle === currentHandle) deps.onCurrentEnded();
  }

  async function endOthers(): Promise<number> {
    const others = (await list()).filter((session) => !session.current);
    const ended = await Promise.all(
      others.map((session) =>
        end(session.handle).then(
          () => true,
          (error: unknown) => {
            // Ended meanwhile (it expired, or another device ended it): the wish is fulfilled.
            if (error instanceof BffHttpError && error.status === 404) return false;
            throw error;
          },
        ),
      ),
    );
    return ended.filter(Boolean).length;
  }

  return { list, end, endOthers };
}
