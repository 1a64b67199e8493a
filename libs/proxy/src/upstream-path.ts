import { UnsafePathError } from './proxy.errors';

function decodeOnce(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new UnsafePathError('malformed percent-encoding');
  }
}

/**
 * The part of a segment a Servlet container (Tomcat, Jetty) reads as the path:
 * it cuts path parameters at `;`, so `..;/admin` climbs like `../admin`.
 */
function beforeParameters(segment: string): string {
  const semicolon = segment.indexOf(';');
  return semicolon === -1 ? segment : segment.slice(0, semicolon);
}

/** A segment that, read once or twice decoded, is `.`/`..` (before any `;`) or smuggles a separator or NUL. */
function checkSegment(segment: string): void {
  const once = decodeOnce(segment);
  // A second decoding is what a naive upstream (or a chain of proxies) might do.
  const twice = /%[0-9a-f]{2}/i.test(once) ? decodeOnce(once) : once;
  for (const form of [segment, once, twice]) {
    const path = beforeParameters(form);
    if (path === '.' || path === '..') throw new UnsafePathError('dot segments are not allowed');
    if (form.includes('\\') || form.includes('\0')) throw new UnsafePathError('backslashes and NUL are not allowed');
    if (form !== segment && form.includes('/')) throw new UnsafePathError('encoded slashes are not allowed');
  }
}

/**
 * Every segment of `rest` (the path after `/api/<name>`, from its first `/`) checked as
 * {@link checkSegment} does: decoded once and twice, before and after `;`.
 */
export function checkPathSegments(rest: string): void {
  for (const segment of rest.split('/').slice(1)) checkSegment(segment);
}

/**
 * A path of characters that no decoding changes and no container reads otherwise: no `%`, no
 * `;`, no backslash, NUL or anything outside ASCII's unreserved and sub-delimiter characters.
 * Most API paths are such; for them the checks of {@link checkPathSegments} come down to one:
 * no segment is `.` or `..`. (upstream-path.spec.ts compares the two on generated paths.)
 */
const PLAIN_PATH = /^[\w\-.~!$&'()*+,=:@/]*$/;
const DOT_SEGMENT = /\/\.\.?(?=\/|$)/;

function checkPath(rest: string): void {
  if (!PLAIN_PATH.test(rest)) checkPathSegments(rest);
  else if (DOT_SEGMENT.test(rest)) throw new UnsafePathError('dot segments are not allowed');
}

/**
 * Splits the raw request URL after `/api/<name>` into the path to forward
 * (appended to the route's base path byte for byte) and the untouched query.
 * Every segment is checked before the upstream is contacted; `//` stays a path,
 * never an authority, because the result is always joined to the base path.
 */
export function upstreamPathOf(
  rawUrl: string,
  prefixLength: number,
  basePath: string,
): { path: string; query: string } {
  const queryIndex = rawUrl.indexOf('?');
  const rawPath = queryIndex === -1 ? rawUrl : rawUrl.slice(0, queryIndex);
  const query = queryIndex === -1 ? '' : rawUrl.slice(queryIndex + 1);
  const rest = rawPath.slice(prefixLength);
  if (rest !== '' && !rest.startsWith('/')) throw new UnsafePathError('unexpected path');
  checkPath(rest);
  const base = basePath.endsWith('/') ? basePath.slice(0, -1) : basePath;
  return { path: `${base}${rest}` || '/', query };
}
