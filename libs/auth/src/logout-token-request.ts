import type { FastifyInstance } from 'fastify';
import { InvalidLogoutTokenError } from './auth.errors';

/**
 * Fastify route config that marks the back-channel logout endpoint (set with
 * `@RouteConfig`), so the hook below finds it whatever path it is mounted at.
 */
export const LOGOUT_TOKEN_ROUTE_CONFIG = { bffLogoutTokenPost: true } as const;

/** OIDC Back-Channel Logout §2.5: the provider sends `application/x-www-form-urlencoded`, parameters aside. */
export function isFormEncoded(contentType: string | undefined): boolean {
  return contentType?.split(';', 1)[0]?.trim().toLowerCase() === 'application/x-www-form-urlencoded';
}

/**
 * Refuses a logout token request that is not form-encoded before Fastify picks a
 * body parser: otherwise JSON would be accepted as a second format, and a type
 * with no parser would be answered 415 with another body than every other
 * refusal. The error goes through the one exception filter like any other.
 */
export function refuseUnencodedLogoutTokens(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, _reply, done) => {
    const config = request.routeOptions.config as Partial<typeof LOGOUT_TOKEN_ROUTE_CONFIG> | undefined;
    if (config?.bffLogoutTokenPost === true && !isFormEncoded(request.headers['content-type'])) {
      done(new InvalidLogoutTokenError('the request body is not application/x-www-form-urlencoded'));
      return;
    }
    done();
  });
}
