import type { IncomingHttpHeaders } from 'node:http';
import type { ServerConfig } from '@bff/config';
import { CsrfHeaderMissingError } from '@bff/errors';
import { CrossSiteRequestError } from './auth.errors';

/**
 * Duende's anti-forgery header: `X-CSRF: 1`. A cross-site page cannot add a
 * custom header without a CORS preflight, which the BFF never grants.
 */
export function assertCsrfHeader(headers: Record<string, string | string[] | undefined>): void {
  if (headers['x-csrf'] !== '1') throw new CsrfHeaderMissingError();
}

/** `Sec-Fetch-Site` values of a request this site's own pages (or the user, typing a URL) made. */
const OWN_SITE = new Set(['same-origin', 'none']);

/**
 * The anti-forgery header, then what a browser says about where the request comes
 * from, as a second layer should a CORS misconfiguration or a browser bug let a
 * custom header through:
 * - `Sec-Fetch-Site`, when present, must be `same-origin` or `none` (any letter
 *   case). `same-site` is refused too: a sibling subdomain is another application.
 * - `Origin`, when present, must be exactly one of `allowedOrigins`; `null`
 *   (sandboxed frames, `data:` pages, some redirects) never is.
 * A header sent twice arrives joined with ", " and matches neither rule. Absent
 * headers pass: non-browser clients send neither, and still need `X-CSRF: 1`.
 * Throws `CsrfHeaderMissingError` or {@link CrossSiteRequestError} (both 403).
 */
export function assertBrowserRequest(headers: IncomingHttpHeaders, allowedOrigins: ReadonlySet<string>): void {
  assertCsrfHeader(headers);
  const site = headers['sec-fetch-site'];
  if (site !== undefined && !(typeof site === 'string' && OWN_SITE.has(site.toLowerCase()))) {
    throw new CrossSiteRequestError('Sec-Fetch-Site is neither same-origin nor none');
  }
  const origin = headers.origin;
  if (origin !== undefined && (origin === 'null' || !allowedOrigins.has(origin))) {
    throw new CrossSiteRequestError('Origin is not one of the allowed origins');
  }
}

/** The origins {@link assertBrowserRequest} accepts: the BFF's public origin and `BFF_ALLOWED_ORIGINS`. */
export function allowedOriginsOf(server: Pick<ServerConfig, 'publicUrl' | 'allowedOrigins'>): ReadonlySet<string> {
  return new Set([new URL(server.publicUrl).origin, ...server.allowedOrigins]);
}
