import type { FastifyInstance } from 'fastify';

/** The CSP of HTML the BFF serves: same-origin everything, plus its own WebSocket origin. */
function contentSecurityPolicy(publicUrl: string): string {
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
 * Headers that depend on the request: its id, no caching of `/auth/*`, and a
 * CSP on HTML. (The ones every answer carries are set at the HTTP edge.)
 */
export function registerSecurityHeaders(app: FastifyInstance, publicUrl: string): void {
  const csp = contentSecurityPolicy(publicUrl);
  // Set on the raw response when the request arrives, so that a handler that writes the
  // response itself (the /api proxy streams straight to it) sends them too; Fastify's own
  // replies merge them in. Callback hooks, not async ones: they run on every request.
  app.addHook('onRequest', (request, reply, done) => {
    const raw = reply.raw;
    // nosniff and no-referrer are set at the HTTP edge (http-edge.ts). The id lets a user
    // quote what finds their request in the logs.
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
