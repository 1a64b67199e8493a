import {
  applyDecorators,
  createParamDecorator,
  SetMetadata,
  UseFilters,
  UseGuards,
  type ExecutionContext,
} from '@nestjs/common';
import { BffExceptionFilter } from '@bff/errors';
import type { FastifyRequest } from 'fastify';
import { BFF_API_ACR, BFF_SESSION, BffApiGuard } from './bff-api.guard';
import type { BffSession } from './current-session';

/** Options of {@link BffApi}. */
export interface BffApiOptions {
  /**
   * Step-up, as a route's `acr`: the session must have been authenticated with one of these
   * `acr` values, else 401 `step_up_required` with a `loginUrl` asking for them.
   */
  acr?: string[];
}

/**
 * Puts a host's controller (or one handler) behind the BFF session, as Duende's
 * local APIs: `X-CSRF: 1` (403), Fetch Metadata and Origin (403), an open
 * session (401), with `acr` the step-up (401), each refusal answered with the same JSON as `/api`.
 * A handler's `acr` overrides its controller's.
 */
export function BffApi(options: BffApiOptions = {}): ClassDecorator & MethodDecorator {
  const acr = options.acr === undefined ? [] : [SetMetadata(BFF_API_ACR, [...options.acr])];
  return applyDecorators(...acr, UseGuards(BffApiGuard), UseFilters(BffExceptionFilter));
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
