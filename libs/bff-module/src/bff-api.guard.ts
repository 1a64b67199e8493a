import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { allowedOriginsOf, assertBrowserRequest } from '@bff/auth';
import { ServerConfig } from '@bff/config';
import { RequestSessions } from '@bff/session';
import type { FastifyRequest } from 'fastify';
import { viewOfSession, type BffSession } from './current-session';

/** Where the guard leaves the caller's session for `@CurrentSession()`. */
export const BFF_SESSION = Symbol('bff:session');

declare module 'fastify' {
  interface FastifyRequest {
    [BFF_SESSION]?: BffSession;
  }
}

/**
 * What `@BffApi()` puts in front of a host's own endpoint: the same checks, in
 * the same order and with the same JSON answers, as `/api` — `X-CSRF: 1` (403),
 * Fetch Metadata and Origin (403 `cross_site_request`), an open session (401).
 */
@Injectable()
export class BffApiGuard implements CanActivate {
  private readonly allowedOrigins: ReadonlySet<string>;

  constructor(
    server: ServerConfig,
    private readonly sessions: RequestSessions,
  ) {
    this.allowedOrigins = allowedOriginsOf(server);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    assertBrowserRequest(request.headers, this.allowedOrigins);
    request[BFF_SESSION] = viewOfSession(await this.sessions.require(request));
    return true;
  }
}
