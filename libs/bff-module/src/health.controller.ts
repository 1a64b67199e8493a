import { Controller, Get, Header, Inject, Res, UseFilters } from '@nestjs/common';
import { BffExceptionFilter } from '@bff/errors';
import { OidcConfig } from '@bff/config';
import { SESSION_STORE, type SessionStore } from '@bff/session';
import type { FastifyReply } from 'fastify';

type CheckResult = 'ok' | 'down';

async function withTimeout(check: () => Promise<unknown>, timeoutMs: number): Promise<CheckResult> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => {
        timer = setTimeout(() => {
          reject(new Error('timed out'));
        }, timeoutMs);
      }),
    ]);
    return 'ok';
  } catch {
    return 'down';
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Liveness (the process answers) and readiness (it can serve: Redis answers a
 * round trip and the OpenID Provider's discovery document loads), each check
 * bounded in time. A 503 names the failed checks.
 */
// The BFF's own answers keep their JSON shape inside a host with other filters.
@UseFilters(BffExceptionFilter)
@Controller('health')
export class HealthController {
  constructor(
    @Inject(SESSION_STORE) private readonly store: SessionStore,
    private readonly oidc: OidcConfig,
  ) {}

  @Get('live')
  @Header('Cache-Control', 'no-store')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @Header('Cache-Control', 'no-store')
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<Record<string, unknown>> {
    const timeoutMs = this.oidc.httpTimeoutMs;
    const [redis, idp] = await Promise.all([
      withTimeout(() => this.store.ping(), timeoutMs),
      withTimeout(async () => {
        const response = await fetch(`${this.oidc.issuer}/.well-known/openid-configuration`, {
          signal: AbortSignal.timeout(timeoutMs),
        });
        await response.body?.cancel();
        if (!response.ok) throw new Error(String(response.status));
      }, timeoutMs),
    ]);
    const checks = { redis, idp };
    const failed = Object.entries(checks)
      .filter(([, result]) => result === 'down')
      .map(([name]) => name);
    if (failed.length === 0) return { status: 'ok', checks };
    void reply.code(503);
    return { error: 'not_ready', message: `Not ready; failed checks: ${failed.join(', ')}.`, checks };
  }
}
