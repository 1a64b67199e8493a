import { Body, Controller, Header, Headers, HttpCode, Post, UseFilters } from '@nestjs/common';
import { RealtimeConfig } from '@bff/config';
import { BffExceptionFilter } from '@bff/errors';
import { UserSessions } from '@bff/session';
import { InvalidRevokeRequestError } from './auth.errors';
import { internalTokenCheck } from './internal-token';

/** The longest `sub` accepted (OIDC Core: at most 255 ASCII characters). */
const SUB_MAX = 255;

/**
 * `POST /internal/sessions/revoke` `{ "sub": "<user>" }`: a service on the internal network
 * (an admin console, an account-lock hook) ends every session of a user, on every instance,
 * their sockets closed with 4001. Guarded by the internal token like every `/internal/*` route.
 */
// The BFF's own answers keep their JSON shape inside a host with other filters.
@UseFilters(BffExceptionFilter)
@Controller('internal/sessions')
export class InternalSessionsController {
  private readonly assertInternalToken: (authorization: unknown) => void;

  constructor(
    config: RealtimeConfig,
    private readonly userSessions: UserSessions,
  ) {
    this.assertInternalToken = internalTokenCheck(config.internalToken);
  }

  /** 202 `{ "ended": <count> }`, also when the user had no session (revoking is idempotent). */
  @Post('revoke')
  @HttpCode(202)
  @Header('Cache-Control', 'no-store')
  async revoke(@Headers('authorization') authorization: unknown, @Body() body: unknown): Promise<{ ended: number }> {
    this.assertInternalToken(authorization);
    const { sub } = (typeof body === 'object' && body !== null && !Array.isArray(body) ? body : {}) as Record<
      string,
      unknown
    >;
    if (typeof sub !== 'string' || sub.length === 0 || sub.length > SUB_MAX) {
      throw new InvalidRevokeRequestError(`sub must be a non-empty string of at most ${String(SUB_MAX)} characters`);
    }
    return { ended: await this.userSessions.endAll(sub) };
  }
}
