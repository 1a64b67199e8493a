import { randomBytes } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createBffApp } from '@bff/bff';
import { loadConfig } from '@bff/config';
import { createDevIdp, type DevIdp } from '@bff/dev-idp';
import { parseTicket, SessionService, type OpenedSession } from '@bff/session';
import type { BrowserClient } from './browser-client';
import { freePort } from './free-port';
import { testRedisUrl } from './redis';

export const TEST_CLIENT = { clientId: 'bff-test', clientSecret: 'bff-test-secret' };

export interface BffInstance {
  url: string;
  app: NestFastifyApplication;
}

export interface Stack {
  idp: DevIdp;
  bffs: BffInstance[];
  /** The first instance's URL. */
  url: string;
  env: Record<string, string>;
  /** Stops one instance (as a deploy would: sockets get 1001) and boots it again on its port. */
  restart(index: number): Promise<void>;
  close(): Promise<void>;
}

export interface StackOptions {
  /** BFF instances sharing one Redis (default 1). */
  instances?: number;
  /** Use the real test Redis (default true); false uses the in-memory store. */
  redis?: boolean;
  /** Extra BFF environment, applied last. */
  env?: Record<string, string>;
  accessTokenTtlSeconds?: number;
  /** Capture every instance's log lines at debug level here (default: errors only, to stdout). */
  logs?: { write(line: string): void };
}

/**
 * The real thing, in-process: the dev IdP (oidc-provider) on a free port and N
 * BFF instances built exactly as `main.ts` builds them, from an environment.
 */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const ports = await Promise.all(Array.from({ length: options.instances ?? 1 }, () => freePort()));
  const urls = ports.map((port) => `http://localhost:${String(port)}`);
  const idp = await createDevIdp({
    port: 0,
    accessTokenTtlSeconds: options.accessTokenTtlSeconds ?? 60,
    clients: [
      {
        ...TEST_CLIENT,
        redirectUris: urls.map((url) => `${url}/auth/callback`),
        postLogoutRedirectUris: urls.map((url) => `${url}/`),
        // With a back-channel URI the IdP puts `sid` into ID tokens, as a production IdP would.
        backchannelLogoutUri: `${urls[0]!}/auth/backchannel-logout`,
      },
    ],
  });
  const shared: Record<string, string> = {
    OIDC_ISSUER: idp.issuer,
    OIDC_CLIENT_ID: TEST_CLIENT.clientId,
    OIDC_CLIENT_SECRET: TEST_CLIENT.clientSecret,
    SESSION_SECRET: randomBytes(32).toString('base64url'),
    // The dev IdP offers PAR, which OIDC_PAR=auto would use; these stacks test the classic
    // redirect (its query parameters are inspected and tampered with). FAPI stacks push.
    OIDC_PAR: 'never',
    ...(options.redis === false ? {} : { REDIS_URL: testRedisUrl() }),
  };
  const bffs: BffInstance[] = [];
  const boot = async (index: number): Promise<NestFastifyApplication> => {
    const port = ports[index]!;
    const env = { ...shared, PORT: String(port), BFF_PUBLIC_URL: urls[index]!, ...options.env };
    const app = await createBffApp(
      loadConfig(env),
      options.logs ? { logger: ['debug'], logDestination: options.logs } : { logger: ['error'] },
    );
    await app.listen({ port });
    return app;
  };
  try {
    for (const index of ports.keys()) bffs.push({ url: urls[index]!, app: await boot(index) });
  } catch (error) {
    await Promise.all(bffs.map((bff) => bff.app.close()));
    await idp.close();
    throw error;
  }
  return {
    idp,
    bffs,
    url: urls[0]!,
    env: shared,
    restart: async (index) => {
      const instance = bffs[index];
      if (!instance) throw new Error(`no BFF instance ${String(index)}`);
      await instance.app.close();
      instance.app = await boot(index);
    },
    close: async () => {
      await Promise.all(bffs.map((bff) => bff.app.close()));
      await idp.close();
    },
  };
}

/** Reads the browser's session straight from the store through the first instance's own service. */
export async function sessionOf(
  stack: Stack,
  browser: BrowserClient,
): Promise<{ service: SessionService; session: OpenedSession }> {
  const service = stack.bffs[0]!.app.get(SessionService);
  const ticket = parseTicket(browser.cookie('__Host-bff'));
  const session = ticket && (await service.reload(ticket));
  if (!session) throw new Error('no session');
  return { service, session };
}
