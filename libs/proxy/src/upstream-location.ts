/** Where one route's upstream lives and where the browser sees it. */
export interface RouteLocation {
  /** The upstream's origin, e.g. `http://10.0.0.7:8080`. */
  upstreamOrigin: string;
  /** The route's base path without a trailing slash (`''` for the root). */
  basePath: string;
  /** The browser-side prefix, `/api/<name>`. */
  browserPrefix: string;
}

/**
 * An upstream `Location` (or `Content-Location`) as the browser may see it.
 * A URL on the upstream's own origin would hand the browser an internal
 * address: inside the route's base it becomes the matching `/api/<name>/…`
 * path, outside it it is dropped (undefined). URLs on other origins (an IdP,
 * a storage bucket) pass unchanged. Relative values are resolved against the
 * URL the BFF requested, as the upstream meant them.
 */
export function browserLocationOf(value: string, route: RouteLocation, requestedPath: string): string | undefined {
  let resolved: URL;
  try {
    resolved = new URL(value, `${route.upstreamOrigin}${requestedPath}`);
  } catch {
    return undefined;
  }
  if (resolved.origin !== route.upstreamOrigin) return value;
  // URL resolution has already removed dot segments, so `/v1/../internal` is seen as `/internal`.
  const path = resolved.pathname;
  const base = route.basePath;
  if (base !== '' && path !== base && !path.startsWith(`${base}/`)) return undefined;
  return `${route.browserPrefix}${path.slice(base.length)}${resolved.search}${resolved.hash}`;
}
