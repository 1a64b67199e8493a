import { Controller, Get } from '@nestjs/common';
import { BffApi, BffError, CurrentSession, UserAccessTokens, type BffSession } from '@bff/bff-module';
import { ProxyConfig } from '@bff/config';

/** How long the dashboard waits for each call to the demo API. */
const DEMO_API_TIMEOUT_MS = 5000;

/** The demo API did not answer as a dashboard needs: a 502 in the BFF's JSON shape. */
class DemoApiFailedError extends BffError {
  constructor(path: string, cause?: unknown) {
    super('demo_api_failed', 502, `The demo API did not answer ${path}.`, { cause, expose: true });
  }
}

/**
 * A local API (Duende's term): the host's own endpoint behind the BFF session.
 * It aggregates two calls to the demo API, each with the user's access token,
 * into one answer; the browser never sees the token.
 */
@Controller('local')
@BffApi()
export class DashboardController {
  private readonly demoApi: string;

  constructor(
    private readonly tokens: UserAccessTokens,
    proxy: ProxyConfig,
  ) {
    // The demo API is the `demo` route's upstream: one place configures where it lives.
    this.demoApi = proxy.routes.find((route) => route.name === 'demo')?.upstream ?? 'http://localhost:4001';
  }

  @Get('dashboard')
  async dashboard(@CurrentSession() session: BffSession): Promise<Record<string, unknown>> {
    const token = await this.tokens.get(session, { route: 'demo' });
    const [me, orders] = await Promise.all([this.call('/me', token), this.call('/orders', token)]);
    return { user: session.sub, sessionExpiresAt: session.sessionExpiresAt, token: me, orders };
  }

  private async call(path: string, token: string): Promise<unknown> {
    let response: Response;
    try {
      response = await fetch(`${this.demoApi}${path}`, {
        headers: { authorization: `Bearer ${token}` },
        signal: AbortSignal.timeout(DEMO_API_TIMEOUT_MS),
      });
    } catch (error) {
      throw new DemoApiFailedError(path, error);
    }
    if (!response.ok) throw new DemoApiFailedError(path, new Error(`status ${String(response.status)}`));
    return response.json();
  }
}
