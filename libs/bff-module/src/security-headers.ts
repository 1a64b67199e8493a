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
  // Set on the raw response when the request arrives, so that a handler that writes the
  // response itself (the /api proxy streams straight to it) sends them too; Fastify's own
  // replies merge them in. Callback hooks, not async ones: they run on every request.
  app.addHook('onRequest', (request, reply, done) => {
    const raw = reply.raw;
    raw.setHeader('x-content-type-options', 'nosniff');
    raw.setHeader('referrer-policy', 'no-referrer');
    // Lets a user quote the id that finds their request in the logs.
    raw.setHeader('x-request-id', request.id);
    if (request.url.startsWith('/auth/')) raw.setHeader('cache-control', 'no-store');
    done();
  });
  app.addHook('onSend', (_request, reply, payload, done) => {
    const type = reply.getHeader('content-type');
    if (typeof type === 'string' && type.startsWith('text/html')) void reply.header('content-security-policy', csp);
    done(null, payload);
  });
}
