import { BffInvalidResponseError } from './errors.js';

/** `GET /auth/user`: who is logged in. ID-token claims only; the browser never sees a token. */
export interface BffUser {
  sub: string;
  /** The ID token's claims (`name`, `email`, `exp`, ...). */
  claims: Record<string, unknown>;
  /** ISO-8601 UTC: the earlier of the session's idle and absolute expiry. */
  sessionExpiresAt: string;
  /** `/auth/logout?sid=...`: ends this session (what `bff.logout()` navigates to). */
  logoutUrl: string;
  /** ISO-8601 UTC: when the session ends unless a call slides it (`user()` and `/api` calls do). */
  idleExpiresAt?: string;
  /** ISO-8601 UTC: when the session ends whatever happens. */
  absoluteExpiresAt?: string;
  /** The ID token's `acr`: the authentication context class the login reached. */
  acr?: string;
  /** The ID token's `amr`: the authentication methods used (`pwd`, `otp`, ...). */
  amr?: string[];
  /** The ID token's `auth_time`: when the user last actively authenticated, in seconds since the epoch. */
  authTime?: number;
}

/** Reading of `/auth/user`: `slide: false` asks without extending the session's idle expiry. */
export interface UserOptions {
  /** Default true: the call counts as activity, as every call with the session cookie does. */
  slide?: boolean;
}

type Fields = Partial<Record<keyof BffUser, unknown>>;

/** A timestamp that `Date.parse` reads, as the BFF writes them (`toISOString()`). */
function isTimestamp(value: unknown): value is string {
  return typeof value === 'string' && !Number.isNaN(Date.parse(value));
}

/** The optional session-status fields: absent ones stay absent (older BFFs), present ones must be well-formed. */
function parseStatus(url: string, fields: Fields): Partial<BffUser> {
  const { idleExpiresAt, absoluteExpiresAt, acr, amr, authTime } = fields;
  const status: Partial<BffUser> = {};
  for (const [name, value] of [
    ['idleExpiresAt', idleExpiresAt],
    ['absoluteExpiresAt', absoluteExpiresAt],
  ] as const) {
    if (value === undefined) continue;
    if (!isTimestamp(value)) throw new BffInvalidResponseError(url, `\`${name}\` is not an ISO-8601 timestamp`);
    status[name] = value;
  }
  if (acr !== undefined) {
    if (typeof acr !== 'string') throw new BffInvalidResponseError(url, '`acr` is not a string');
    status.acr = acr;
  }
  if (amr !== undefined) {
    if (!Array.isArray(amr) || !amr.every((method) => typeof method === 'string')) {
      throw new BffInvalidResponseError(url, '`amr` is not an array of strings');
    }
    status.amr = amr;
  }
  if (authTime !== undefined) {
    // The ID token's NumericDate; an ISO-8601 rendering of it is read as the same instant.
    const seconds = isTimestamp(authTime) ? Math.floor(Date.parse(authTime) / 1000) : authTime;
    if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) {
      throw new BffInvalidResponseError(url, '`authTime` is not a time');
    }
    status.authTime = seconds;
  }
  return status;
}

/** Checks that a 200 body of `/auth/user` is a {@link BffUser}. */
export function parseUser(url: string, body: unknown): BffUser {
  if (typeof body !== 'object' || body === null) throw new BffInvalidResponseError(url, 'not a JSON object');
  const fields = body as Fields;
  const { sub, claims, sessionExpiresAt, logoutUrl } = fields;
  if (typeof sub !== 'string') throw new BffInvalidResponseError(url, '`sub` is not a string');
  if (typeof claims !== 'object' || claims === null)
    throw new BffInvalidResponseError(url, '`claims` is not an object');
  if (typeof sessionExpiresAt !== 'string') {
    throw new BffInvalidResponseError(url, '`sessionExpiresAt` is not a string');
  }
  // It is navigated to: only a path on this site is followed, never another origin.
  if (typeof logoutUrl !== 'string' || !logoutUrl.startsWith('/') || /^\/[/\\]/.test(logoutUrl)) {
    throw new BffInvalidResponseError(url, '`logoutUrl` is not a relative path');
  }
  const user = { sub, claims: claims as Record<string, unknown>, sessionExpiresAt, logoutUrl };
  return { ...user, ...parseStatus(url, fields) };
}
