import type { IncomingHttpHeaders } from 'node:http';
import { StepUpRequiredError } from './auth.errors';
import { validateReturnTo } from './return-to';

/** Where the BFF's login starts; the auth endpoints are served at this fixed path. */
export const LOGIN_PATH = '/auth/login';

/**
 * Where to come back after a step-up: the path (and query) of the request's `Referer` when it is
 * a page of the BFF's own origin and passes {@link validateReturnTo}, else `/`. The Referer is
 * the browser's, but a page of another site could have made the call (or a proxy rewritten the
 * header), so anything not of this origin never becomes a returnTo.
 */
export function stepUpReturnTo(referer: string | undefined, publicOrigin: string): string {
  if (referer === undefined || !URL.canParse(referer)) return '/';
  const page = new URL(referer);
  if (page.origin !== publicOrigin) return '/';
  try {
    return validateReturnTo(`${page.pathname}${page.search}`);
  } catch {
    return '/';
  }
}

/** `/auth/login?acr_values=<space-joined list>&returnTo=<path>`, both encoded. */
export function stepUpLoginUrl(acr: readonly string[], returnTo: string): string {
  return `${LOGIN_PATH}?acr_values=${encodeURIComponent(acr.join(' '))}&returnTo=${encodeURIComponent(returnTo)}`;
}

/**
 * Refuses a call whose session was not authenticated with one of `acr` (a route's or a local
 * API's list) with {@link StepUpRequiredError}; no list, or the session's `acr` in it, passes.
 * Runs before any token work, so a refused call never refreshes or reaches the upstream.
 */
export function assertStepUp(
  acr: readonly string[] | undefined,
  sessionAcr: string | undefined,
  headers: IncomingHttpHeaders,
  publicOrigin: string,
): void {
  if (acr === undefined || (sessionAcr !== undefined && acr.includes(sessionAcr))) return;
  throw new StepUpRequiredError(stepUpLoginUrl(acr, stepUpReturnTo(headers.referer, publicOrigin)));
}
