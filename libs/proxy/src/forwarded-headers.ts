import type { IncomingHttpHeaders } from 'node:http';

/** RFC 9110 §7.6.1 connection-specific headers, never forwarded by a proxy. */
const HOP_BY_HOP = [
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'proxy-authenticate',
  'proxy-authorization',
];

/** Browser credentials and BFF-only headers that an upstream must never see. */
const BROWSER_ONLY = ['cookie', 'authorization', 'x-csrf'];

/**
 * Headers about the browser's connection to the BFF: the upstream's Host comes
 * from the route's URL, and `Expect: 100-continue` was already answered by Node.
 */
const BFF_CONNECTION = ['host', 'expect'];

/**
 * Headers that upstream frameworks believe about routing, method, scheme or the
 * client's address (IIS/Symfony URL rewrites, method overrides, the client-IP
 * headers of CDNs and load balancers). They are the BFF's to set; a browser's
 * copy would let a page steer the API past its own access rules. Every
 * `x-forwarded-*` name is covered by prefix.
 */
const STEERING = [
  'forwarded',
  'via',
  'x-real-ip',
  'x-client-ip',
  'client-ip',
  'true-client-ip',
  'x-cluster-client-ip',
  'cf-connecting-ip',
  'fastly-client-ip',
  'x-originating-ip',
  'x-remote-ip',
  'x-remote-addr',
  'x-proxyuser-ip',
  'x-original-url',
  'x-original-uri',
  'x-rewrite-url',
  'x-original-host',
  'x-host',
  'x-envoy-original-path',
  'x-original-method',
  'x-http-method-override',
  'x-http-method',
  'x-method-override',
  'x-url-scheme',
  'front-end-https',
  // The BFF sends its own request id; a browser's would pose as the BFF's.
  'x-request-id',
];

// Built once: this runs twice per proxied request, on the hot path.
const NEVER_UPSTREAM = new Set([...HOP_BY_HOP, ...BROWSER_ONLY, ...BFF_CONNECTION, ...STEERING]);
const NEVER_TO_BROWSER = new Set([...HOP_BY_HOP, 'set-cookie']);

/**
 * A browser header the upstream must not receive under any spelling: the
 * lists above, every `x-forwarded-*`, and every name with an underscore,
 * because CGI-style servers (WSGI, PHP, Rack) read `X_Forwarded_Host` as
 * `X-Forwarded-Host` (nginx drops them by default for the same reason).
 */
function steersUpstream(name: string): boolean {
  return NEVER_UPSTREAM.has(name) || name.startsWith('x-forwarded-') || name.includes('_');
}

function connectionListed(headers: IncomingHttpHeaders): Set<string> | undefined {
  const value = headers.connection;
  if (typeof value !== 'string') return undefined;
  // The usual values name no header beyond the hop-by-hop ones dropped anyway.
  const lower = value.toLowerCase();
  if (lower === 'keep-alive' || lower === 'close') return undefined;
  return new Set(lower.split(',').map((name) => name.trim()));
}

/** What the BFF knows about the client side of a proxied call. */
export interface ForwardingContext {
  clientIp: string;
  /** Existing X-Forwarded-For, kept only behind a trusted proxy. */
  priorForwardedFor?: string;
  publicProto: string;
  publicHost: string;
  /** The BFF's id of this request (a trusted proxy's, when BFF_TRUST_PROXY is on). */
  requestId: string;
  accessToken?: string;
  /** The `DPoP` proof for this request when the token is DPoP-bound (RFC 9449 §7.1); else it goes as `Bearer`. */
  dpopProof?: string;
  /**
   * With tracing on, the W3C headers of the call's CLIENT span: they replace the browser's
   * `traceparent` and `tracestate`. Without tracing, the browser's pass through unchanged.
   */
  trace?: { traceparent: string; tracestate?: string };
}

/**
 * The headers sent upstream. Hop-by-hop headers (and those the client lists in
 * Connection) go first, then the browser's credentials and steering headers,
 * and only then are the BFF's own added, so no client header can remove or
 * replace the access token or the forwarding facts.
 */
export function upstreamRequestHeaders(incoming: IncomingHttpHeaders, context: ForwardingContext): IncomingHttpHeaders {
  const listed = connectionListed(incoming);
  const headers: IncomingHttpHeaders = {};
  for (const name in incoming) {
    if (!steersUpstream(name) && !listed?.has(name)) headers[name] = incoming[name];
  }
  headers['x-forwarded-for'] = context.priorForwardedFor
    ? `${context.priorForwardedFor}, ${context.clientIp}`
    : context.clientIp;
  headers['x-forwarded-proto'] = context.publicProto;
  headers['x-forwarded-host'] = context.publicHost;
  headers['x-request-id'] = context.requestId;
  if (context.trace !== undefined) {
    headers.traceparent = context.trace.traceparent;
    if (context.trace.tracestate === undefined) delete headers.tracestate;
    else headers.tracestate = context.trace.tracestate;
  }
  if (context.accessToken === undefined) return headers;
  if (context.dpopProof === undefined) {
    headers.authorization = `Bearer ${context.accessToken}`;
    // A browser's own proof never travels with the BFF's token.
    delete headers.dpop;
  } else {
    headers.authorization = `DPoP ${context.accessToken}`;
    headers.dpop = context.dpopProof;
  }
  return headers;
}

/**
 * The CSP of every proxied response: an API that reflects input must not get
 * to run script, load anything or be framed on the origin that holds the
 * session. A browser enforces every CSP it receives, so an upstream's own
 * policy is kept beside this one, never instead of it.
 */
export const PROXIED_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; sandbox";

/** Maps an upstream `Location`/`Content-Location` to what the browser may see, or undefined to drop it. */
export type LocationRewriter = (value: string) => string | undefined;

const LOCATIONS = new Set(['location', 'content-location']);

/**
 * The upstream response's headers as the browser may see them: no hop-by-hop
 * headers, no cookies, locations mapped into the route, and the proxied CSP.
 */
export function browserResponseHeaders(upstream: IncomingHttpHeaders, rewrite: LocationRewriter): IncomingHttpHeaders {
  const listed = connectionListed(upstream);
  const headers: IncomingHttpHeaders = {};
  for (const name in upstream) {
    if (NEVER_TO_BROWSER.has(name) || listed?.has(name)) continue;
    const value = upstream[name];
    if (!LOCATIONS.has(name)) {
      headers[name] = value;
      continue;
    }
    // Two Location headers are ambiguous; neither is passed on.
    const rewritten = typeof value === 'string' ? rewrite(value) : undefined;
    if (rewritten !== undefined) headers[name] = rewritten;
  }
  const upstreamPolicy = headers['content-security-policy'];
  headers['content-security-policy'] =
    upstreamPolicy === undefined
      ? PROXIED_CONTENT_SECURITY_POLICY
      : [...(Array.isArray(upstreamPolicy) ? upstreamPolicy : [upstreamPolicy]), PROXIED_CONTENT_SECURITY_POLICY];
  return headers;
}
