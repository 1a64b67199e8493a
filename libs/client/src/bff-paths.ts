import { BffArgumentError } from './errors.js';
import type { LocationLike } from './environment.js';

/** The BFF's route names (`BFF_ROUTES[].name`), as its configuration validates them. */
const ROUTE_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;
// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

/**
 * `/api/<route>/<path>`. `path` may start with one `/` (`'/me'` and `'me'` are the same) and may
 * carry a query string; its segments are sent as given, so encode them yourself
 * (`encodeURIComponent`). Refused before anything is sent, because the browser would
 * otherwise rewrite the URL to leave `/api/<route>/`: `.`/`..` segments (also as `%2e`),
 * backslashes (read as `/`), control characters (tabs and newlines are dropped, so `.\t.`
 * is `..`), and a leading `//`.
 */
export function apiPath(route: string, path: string): string {
  if (!ROUTE_NAME.test(route)) throw new BffArgumentError(`"${route}" is not a BFF route name`);
  const relative = path.startsWith('/') ? path.slice(1) : path;
  if (relative.startsWith('/')) throw new BffArgumentError('the API path must not start with //');
  const end = relative.search(/[?#]/);
  const pathPart = end === -1 ? relative : relative.slice(0, end);
  if (CONTROL_CHARACTERS.test(relative) || pathPart.includes('\\')) {
    throw new BffArgumentError('the API path must not contain backslashes or control characters');
  }
  if (pathPart.split('/').some(isDotSegment)) {
    throw new BffArgumentError('the API path must not contain "." or ".." segments');
  }
  if (relative === '' || end === 0) return `/api/${route}${relative}`;
  return `/api/${route}/${relative}`;
}

/** A segment that a URL parser reads as `.` or `..` (WHATWG URL decodes `%2e` for this). */
function isDotSegment(segment: string): boolean {
  const dots = segment.replace(/%2e/gi, '.');
  return dots === '.' || dots === '..';
}

/** The BFF's longest `returnTo`. */
const RETURN_TO_MAX_LENGTH = 2048;
/** Printable ASCII without the backslash: what can go back out in a `Location` header unchanged. */
const PLAIN_PATH = /^[\x21-\x5b\x5d-\x7e]+$/;
/** `//` at the start names another site; `/%2F` and `/%5C` do for a server or router that decodes once. */
const NETWORK_PATH = /^\/(?:\/|%2f|%5c)/i;
const DUMMY_ORIGIN = 'http://bff.invalid';

/**
 * The rule the BFF applies to `/auth/login?returnTo=` (`libs/auth/src/return-to.ts`), checked
 * here so a bad value fails in the page, not at the BFF: at most 2048 characters of printable
 * ASCII without a backslash, starting with `/` but not with `//`, `/%2F` or `/%5C` (any case),
 * and resolving to this origin. Returns where the BFF will return to (`''` is `/`, as there),
 * or throws {@link BffArgumentError}.
 */
export function validateReturnTo(returnTo: string): string {
  if (returnTo === '') return '/';
  const accepted =
    returnTo.length <= RETURN_TO_MAX_LENGTH &&
    PLAIN_PATH.test(returnTo) &&
    returnTo.startsWith('/') &&
    !NETWORK_PATH.test(returnTo) &&
    new URL(returnTo, DUMMY_ORIGIN).origin === DUMMY_ORIGIN;
  if (!accepted) throw new BffArgumentError(`returnTo must be a relative path on this site, got "${returnTo}"`);
  return returnTo;
}

/** `ws:`/`wss:` URL of the BFF's `/ws`, on the page's own origin unless `baseUrl` names another. */
export function websocketUrl(location: LocationLike, baseUrl: string): string {
  if (/^https?:\/\//i.test(baseUrl)) return `${baseUrl.replace(/^http/i, 'ws')}/ws`;
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}${baseUrl}/ws`;
}
