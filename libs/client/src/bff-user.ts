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
}

/** Checks that a 200 body of `/auth/user` is a {@link BffUser}. */
export function parseUser(url: string, body: unknown): BffUser {
  if (typeof body !== 'object' || body === null) throw new BffInvalidResponseError(url, 'not a JSON object');
  const { sub, claims, sessionExpiresAt, logoutUrl } = body as Partial<Record<keyof BffUser, unknown>>;
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
  return { sub, claims: claims as Record<string, unknown>, sessionExpiresAt, logoutUrl };
}
