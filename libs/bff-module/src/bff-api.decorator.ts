import { applyDecorators, createParamDecorator, UseFilters, UseGuards, type ExecutionContext } from '@nestjs/common';
import { BffExceptionFilter } from '@bff/errors';
import type { FastifyRequest } from 'fastify';
import { BFF_SESSION, BffApiGuard } from './bff-api.guard';
import type { BffSession } from './current-session';

/**
 * Puts a host's controller (or one handler) behind the BFF session, as Duende's
 * local APIs: `X-CSRF: 1` (403), Fetch Metadata and Origin (403), an open
 * session (401), each refusal answered with the same JSON as `/api`.
 */
export function BffApi(): ClassDecorator & MethodDecorator {
  return applyDecorators(UseGuards(BffApiGuard), UseFilters(BffExceptionFilter));
}

/**
 * The caller's session, `{ sub, claims, sessionExpiresAt }`, in a handler
 * behind `@BffApi()`; never a token (see UserAccessTokens).
 */
export const CurrentSession = createParamDecorator((_data: unknown, context: ExecutionContext): BffSession => {
  const session = context.switchToHttp().getRequest<FastifyRequest>()[BFF_SESSION];
  if (!session) throw new TypeError('@CurrentSession() needs @BffApi() on the handler or its controller');
  return session;
});
