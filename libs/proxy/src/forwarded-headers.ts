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

function connectionListed(headers: IncomingHttpHeaders): string[] {
  const value = headers.connection;
  return typeof value === 'string' ? value.split(',').map((name) => name.trim().toLowerCase()) : [];
}

function without(headers: IncomingHttpHeaders, names: Iterable<string>): IncomingHttpHeaders {
  const drop = new Set(names);
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !drop.has(name)));
}

/** Stale forwarding headers from the client would be believed by the upstream. */
const CLIENT_FORWARDING = ['forwarded', 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'x-real-ip'];

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
  const headers = without(incoming, [
    ...connectionListed(incoming),
    ...HOP_BY_HOP,
    ...BROWSER_ONLY,
    ...CLIENT_FORWARDING,
  ]);
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
  return without(upstream, [...connectionListed(upstream), ...HOP_BY_HOP, 'set-cookie']);
}
