import type { FastifyInstance } from 'fastify';

/** The CSP of HTML the BFF serves: same-origin everything, plus its own WebSocket origin. */
export function contentSecurityPolicy(publicUrl: string): string {
  const wsOrigin = new URL(publicUrl).origin.replace(/^http/, 'ws');
  return [
    "default-src 'self'",
    `connect-src 'self' ${wsOrigin}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "object-src 'none'",
  ].join('; ');
}

/**
 * Headers every BFF response carries (DESIGN.md): no MIME sniffing, no Referer
 * leaking paths to other origins, no caching of `/auth/*`, and a CSP on HTML.
 */
export function registerSecurityHeaders(app: FastifyInstance, publicUrl: string): void {
  const csp = contentSecurityPolicy(publicUrl);
  // A callback hook, not an async one: it runs on every response, the proxied ones included.
  app.addHook('onSend', (request, reply, payload, done) => {
    void reply.header('x-content-type-options', 'nosniff');
    void reply.header('referrer-policy', 'no-referrer');
    // Lets a user quote the id that finds their request in the logs.
    void reply.header('x-request-id', request.id);
    if (request.url.startsWith('/auth/')) void reply.header('cache-control', 'no-store');
    const type = reply.getHeader('content-type');
    if (typeof type === 'string' && type.startsWith('text/html')) void reply.header('content-security-policy', csp);
    done(null, payload);
  });
}
