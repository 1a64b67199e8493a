/**
 * The `htu` of a request to `url` (RFC 9449 §4.2): scheme, host, port and path, without
 * userinfo, query or fragment, normalised as RFC 3986 §6.2.2–6.2.3 describe (lower-case scheme
 * and host, no default port, dot segments resolved, percent-encoding in upper case and
 * unreserved characters decoded).
 *
 * @throws TypeError when `url` is not an absolute `http:` or `https:` URL.
 */
export function htuOf(url: string | URL): string {
  const parsed = URL.parse(String(url));
  if (parsed === null || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
    throw new TypeError('a DPoP htu must be an http: or https: URL');
  }
  return `${parsed.protocol}//${parsed.host}${normalizePercentEncoding(parsed.pathname)}`;
}

/**
 * Whether a proof's `htu` claim names the request's target URI: the claim must be an absolute
 * `http:`/`https:` URI without query or fragment (RFC 9449 §4.2), and equal to the request's URI
 * without its query and fragment once both are normalised by {@link htuOf}.
 */
export function htuMatches(claim: string, requestUrl: string | URL): boolean {
  if (!URI_CHARS.test(claim) || claim.includes('?') || claim.includes('#')) return false;
  try {
    return htuOf(claim) === htuOf(requestUrl);
  } catch {
    return false;
  }
}

// Printable ASCII but for the backslash: a URI has no space, control or non-ASCII character
// (RFC 3986 §2), and WHATWG parsing would read a backslash as a slash.
const URI_CHARS = /^[\x21-\x5B\x5D-\x7E]+$/;
const UNRESERVED = /[A-Za-z0-9\-._~]/;

function normalizePercentEncoding(path: string): string {
  if (!path.includes('%')) return path;
  return path.replace(/%([0-9A-Fa-f]{2})/g, (_match, hex: string) => {
    const char = String.fromCharCode(parseInt(hex, 16));
    return UNRESERVED.test(char) ? char : `%${hex.toUpperCase()}`;
  });
}
