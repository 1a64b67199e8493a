/**
 * Standalone dev IdP for `npm run demo`. Reads its few settings from the environment directly:
 * it is a dev tool outside the BFF, so it does not go through libs/config.
 */
import { createDevIdp } from './dev-idp';

function intFromEnv(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min) {
    throw new Error(`${name} must be an integer >= ${String(min)}, got "${raw}"`);
  }
  return value;
}

function profileFromEnv(): 'default' | 'fapi2' {
  const raw = process.env.DEV_IDP_PROFILE;
  if (raw === undefined || raw === '' || raw === 'default') return 'default';
  if (raw === 'fapi2') return 'fapi2';
  throw new Error(`DEV_IDP_PROFILE must be default or fapi2, got "${raw}"`);
}

function boolFromEnv(name: string): boolean {
  const raw = process.env[name];
  if (raw === undefined || raw === '' || raw === 'false') return false;
  if (raw === 'true') return true;
  throw new Error(`${name} must be true or false, got "${raw}"`);
}

async function main(): Promise<void> {
  const env = process.env;
  const bff = (env.BFF_PUBLIC_URL ?? 'http://localhost:3000').replace(/\/+$/, '');
  const profile = profileFromEnv();
  // FAPI 2.0 mode: the BFF authenticates with private_key_jwt, its keys read from its /auth/jwks.
  const clientAuth =
    profile === 'fapi2'
      ? { tokenEndpointAuthMethod: 'private_key_jwt' as const, jwksUri: `${bff}/auth/jwks` }
      : { clientSecret: env.OIDC_CLIENT_SECRET ?? 'bff-demo-secret-change-me' };
  const idp = await createDevIdp({
    profile,
    port: intFromEnv('DEV_IDP_PORT', 4000, 0),
    // Loopback by default: a dev IdP with known passwords must not face the network unless asked.
    host: env.DEV_IDP_HOST ?? '127.0.0.1',
    accessTokenTtlSeconds: intFromEnv('DEV_IDP_ACCESS_TOKEN_TTL', 60, 1),
    // The reports audience follows: <DEMO_API_URL>/reports.
    resource: env.DEMO_API_URL ?? 'http://localhost:4001',
    clients: [
      {
        clientId: env.OIDC_CLIENT_ID ?? 'bff-demo',
        ...clientAuth,
        // Off unless asked: a BFF without DPoP could not use its tokens.
        ...(boolFromEnv('DEV_IDP_DPOP_BOUND_ACCESS_TOKENS') ? { dpopBoundAccessTokens: true } : {}),
        redirectUris: [`${bff}/auth/callback`],
        postLogoutRedirectUris: [`${bff}/`],
        backchannelLogoutUri: `${bff}/auth/backchannel-logout`,
      },
    ],
  });
  console.log(
    `dev IdP (${profile} profile) listening at ${idp.issuer}; access tokens for ${idp.resources.api} and ${idp.resources.reports}`,
  );

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    idp.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(`dev IdP: error while closing on ${signal}:`, err);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err: unknown) => {
  console.error('dev IdP failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
