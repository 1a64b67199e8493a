import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { allowedOriginsOf, assertBrowserRequest, assertStepUp } from '@bff/auth';
import { ServerConfig } from '@bff/config';
import { RequestSessions } from '@bff/session';
import type { FastifyRequest } from 'fastify';
import { viewOfSession, type BffSession } from './current-session';

/** Where the guard leaves the caller's session for `@CurrentSession()`. */
export const BFF_SESSION = Symbol('bff:session');

/** Metadata key of `@BffApi({ acr })`: the `acr` values the handler asks for. */
export const BFF_API_ACR = 'bff:api-acr';

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
  private readonly publicOrigin: string;

  constructor(
    server: ServerConfig,
    private readonly sessions: RequestSessions,
    private readonly reflector: Reflector,
  ) {
    this.allowedOrigins = allowedOriginsOf(server);
    this.publicOrigin = new URL(server.publicUrl).origin;
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    assertBrowserRequest(request.headers, this.allowedOrigins);
    const session = await this.sessions.require(request);
    const acr = this.reflector.getAllAndOverride<string[] | undefined>(BFF_API_ACR, [
      context.getHandler(),
      context.getClass(),
    ]);
    assertStepUp(acr, session.record.acr, request.headers, this.publicOrigin);
    request[BFF_SESSION] = viewOfSession(session);
    return true;
  }
}
