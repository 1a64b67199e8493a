import type { OpenedSession } from '@bff/session';

/**
 * What a local API learns about its caller's session (`@CurrentSession()`):
 * who, their ID-token claims, and until when. Never a token: a handler that
 * needs one asks {@link UserAccessTokens} with this object.
 */
export interface BffSession {
  readonly sub: string;
  readonly claims: Readonly<Record<string, unknown>>;
  /** ISO-8601 UTC: the earlier of the idle and the absolute expiry. */
  readonly sessionExpiresAt: string;
}

// The opened session behind each view stays here, out of reach of the handler (and of its logs
// or JSON answers): only UserAccessTokens follows a view back to its tokens.
const OPENED = new WeakMap<BffSession, OpenedSession>();

/** The view of an opened session a handler may hold. */
export function viewOfSession(session: OpenedSession): BffSession {
  const view: BffSession = Object.freeze({
    sub: session.record.sub,
    claims: session.record.claims,
    sessionExpiresAt: new Date(session.expiresAt).toISOString(),
  });
  OPENED.set(view, session);
  return view;
}

/** The opened session behind a view; throws for an object `@CurrentSession()` did not give. */
export function openedSessionOf(view: BffSession): OpenedSession {
  const session = OPENED.get(view);
  if (!session) throw new TypeError('not a session given by @CurrentSession()');
  return session;
}

/** Records that the session behind a view was renewed (its tokens refreshed). */
export function renewSessionOf(view: BffSession, session: OpenedSession): void {
  OPENED.set(view, session);
}
