import { Controller, Get, Header, UseFilters } from '@nestjs/common';
import type { ClientPublicJwk } from '@bff/config';
import { BffExceptionFilter } from '@bff/errors';
import { ClientJwksNotPublishedError } from './auth.errors';
import { ClientAssertionKeys } from './client-assertion-keys';

/**
 * `GET /auth/jwks` (and HEAD): the public keys of the BFF's client assertions, for a provider
 * that reads a `private_key_jwt` client's keys from its `jwks_uri`. Public by nature: no session,
 * no `X-CSRF`, cacheable for five minutes (what a provider may keep them for: the reason a new
 * key is published one phase before it signs, docs/deploying.md). Without private_key_jwt: 404.
 */
@UseFilters(BffExceptionFilter)
@Controller('auth')
export class ClientJwksController {
  constructor(private readonly keys: ClientAssertionKeys) {}

  @Get('jwks')
  @Header('Cache-Control', 'public, max-age=300')
  jwks(): { keys: readonly ClientPublicJwk[] } {
    if (!this.keys.jwks) throw new ClientJwksNotPublishedError();
    return this.keys.jwks;
  }
}
