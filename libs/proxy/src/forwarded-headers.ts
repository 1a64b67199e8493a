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

/** Stale forwarding headers from the client would be believed by the upstream. */
const CLIENT_FORWARDING = ['forwarded', 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'x-real-ip'];

// Built once: this runs twice per proxied request, on the hot path.
const NEVER_UPSTREAM = new Set([...HOP_BY_HOP, ...BROWSER_ONLY, ...BFF_CONNECTION, ...CLIENT_FORWARDING]);
const NEVER_TO_BROWSER = new Set([...HOP_BY_HOP, 'set-cookie']);

function connectionListed(headers: IncomingHttpHeaders): Set<string> | undefined {
  const value = headers.connection;
  if (typeof value !== 'string') return undefined;
  // The usual values name no header beyond the hop-by-hop ones dropped anyway.
  const lower = value.toLowerCase();
  if (lower === 'keep-alive' || lower === 'close') return undefined;
  return new Set(lower.split(',').map((name) => name.trim()));
}

function without(
  headers: IncomingHttpHeaders,
  drop: Set<string>,
  listed: Set<string> | undefined,
): IncomingHttpHeaders {
  const kept: IncomingHttpHeaders = {};
  for (const name in headers) {
    if (!drop.has(name) && !listed?.has(name)) kept[name] = headers[name];
  }
  return kept;
}

/** What the BFF knows about the client side of a proxied call. */
export interface ForwardingContext {
  clientIp: string;
  /** Existing X-Forwarded-For, kept only behind a trusted proxy. */
  priorForwardedFor?: string;
  publicProto: string;
  publicHost: string;
  accessToken?: string;
}

/**
 * The headers sent upstream. Hop-by-hop headers (and those the client lists in
 * Connection) go first, then the browser's credentials, and only then is the
 * access token added, so no client header can remove or replace it.
 */
export function upstreamRequestHeaders(incoming: IncomingHttpHeaders, context: ForwardingContext): IncomingHttpHeaders {
  const headers = without(incoming, NEVER_UPSTREAM, connectionListed(incoming));
  headers['x-forwarded-for'] = context.priorForwardedFor
    ? `${context.priorForwardedFor}, ${context.clientIp}`
    : context.clientIp;
  headers['x-forwarded-proto'] = context.publicProto;
  headers['x-forwarded-host'] = context.publicHost;
  if (context.accessToken !== undefined) headers.authorization = `Bearer ${context.accessToken}`;
  return headers;
}

/** The upstream response's headers as the browser may see them: no hop-by-hop headers, no cookies. */
export function browserResponseHeaders(upstream: IncomingHttpHeaders): IncomingHttpHeaders {
  return without(upstream, NEVER_TO_BROWSER, connectionListed(upstream));
}
