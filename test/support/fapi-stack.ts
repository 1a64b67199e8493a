import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createBffApp } from '@bff/bff';
import { loadConfig } from '@bff/config';
import { createDemoApi, type DemoApi } from '@bff/demo-api';
import { createDevIdp, type DevIdp, type DevIdpFapiOptions } from '@bff/dev-idp';
import { freePort } from './free-port';
import { testRedisUrl } from './redis';

export const FAPI_CLIENT_ID = 'bff-fapi-test';

/** A client key as a test needs it: what the BFF is given, and what must never show anywhere. */
export interface ClientTestKey {
  kid: string;
  alg: 'ES256' | 'EdDSA' | 'PS256';
  /** The private key as a PKCS#8 PEM. */
  pem: string;
  /** The private key as a JWK with this `kid`. */
  privateJwk: Record<string, unknown>;
  /** The private members' values (`d`, and `p`, `q`, … for RSA) and the PEM's base64 lines. */
  secretParts: string[];
}

/** A fresh client key: EC P-256 (ES256, the default), Ed25519 (EdDSA) or RSA 2048 (PS256). */
export function generateClientKey(
  alg: ClientTestKey['alg'] = 'ES256',
  kid = `${alg}-${randomBytes(4).toString('hex')}`,
): ClientTestKey {
  const key: KeyObject =
    alg === 'ES256'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey
      : alg === 'EdDSA'
        ? generateKeyPairSync('ed25519').privateKey
        : generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const pem = key.export({ format: 'pem', type: 'pkcs8' }) as string;
  const jwk = key.export({ format: 'jwk' }) as Record<string, string>;
  const privateMembers = ['d', 'p', 'q', 'dp', 'dq', 'qi'].flatMap((name) => (jwk[name] ? [jwk[name]] : []));
  const pemLines = pem.split('\n').filter((line) => line.length > 0 && !line.startsWith('-----'));
  return { kid, alg, pem, privateJwk: { ...jwk, kid }, secretParts: [...privateMembers, ...pemLines] };
}

/** `OIDC_CLIENT_PRIVATE_KEY` for a rotation: a JWK Set whose first key signs. */
export function jwkSetOf(...keys: ClientTestKey[]): string {
  return JSON.stringify({ keys: keys.map((key) => key.privateJwk) });
}

export interface FapiStackOptions {
  /** What the dev IdP's FAPI 2.0 mode leaves out (all of it is on by default). */
  fapi?: DevIdpFapiOptions;
  /** `OIDC_CLIENT_PRIVATE_KEY` (default: a fresh EC P-256 key as a PEM, see {@link FapiStack.key}). */
  privateKey?: string;
  /** Extra BFF environment, applied last. */
  env?: Record<string, string>;
  accessTokenTtlSeconds?: number;
  /** Register the BFF with `dpop_bound_access_tokens` (RFC 9449 §5.2): every token request needs a proof. */
  dpopBoundAccessTokens?: boolean;
  /** Capture the BFF's log lines at debug level here (default: errors only, to stdout). */
  logs?: { write(line: string): void };
}

/** The dev IdP in FAPI 2.0 mode and one BFF with `OIDC_PROFILE=fapi2`, in-process. */
export interface FapiStack {
  idp: DevIdp;
  app: NestFastifyApplication;
  url: string;
  /** The BFF's environment. */
  env: Record<string, string>;
  /** The key the BFF signs with when the test gave none. */
  key: ClientTestKey;
  /** Boots the BFF again on its port with this environment on top (a deploy of new settings). */
  restart(env: Record<string, string>): Promise<void>;
  close(): Promise<void>;
}

/**
 * The dev IdP in FAPI 2.0 mode (PAR required, DPoP, ES256 ID tokens) with the BFF registered as a
 * `private_key_jwt` client whose keys the IdP reads from the BFF's own `/auth/jwks`, and the BFF
 * on a free port with `OIDC_PROFILE=fapi2` and a real Redis, built as `main.ts` builds it.
 */
export async function startFapiStack(options: FapiStackOptions = {}): Promise<FapiStack> {
  const port = await freePort();
  const url = `http://localhost:${String(port)}`;
  const key = generateClientKey();
  const idp = await createDevIdp({
    port: 0,
    profile: 'fapi2',
    fapi: options.fapi,
    accessTokenTtlSeconds: options.accessTokenTtlSeconds ?? 60,
    clients: [
      {
        clientId: FAPI_CLIENT_ID,
        tokenEndpointAuthMethod: 'private_key_jwt',
        jwksUri: `${url}/auth/jwks`,
        redirectUris: [`${url}/auth/callback`],
        postLogoutRedirectUris: [`${url}/`],
        backchannelLogoutUri: `${url}/auth/backchannel-logout`,
        ...(options.dpopBoundAccessTokens ? { dpopBoundAccessTokens: true } : {}),
      },
    ],
  });
  const env: Record<string, string> = {
    PORT: String(port),
    BFF_PUBLIC_URL: url,
    OIDC_ISSUER: idp.issuer,
    OIDC_CLIENT_ID: FAPI_CLIENT_ID,
    OIDC_PROFILE: 'fapi2',
    OIDC_CLIENT_PRIVATE_KEY: options.privateKey ?? key.pem,
    SESSION_SECRET: randomBytes(32).toString('base64url'),
    REDIS_URL: testRedisUrl(),
    ...options.env,
  };
  const boot = async (extra: Record<string, string>): Promise<NestFastifyApplication> => {
    const app = await createBffApp(
      loadConfig({ ...env, ...extra }),
      options.logs ? { logger: ['debug'], logDestination: options.logs } : { logger: ['error'] },
    );
    await app.listen({ port });
    return app;
  };
  let app: NestFastifyApplication;
  try {
    app = await boot({});
  } catch (error) {
    await idp.close();
    throw error;
  }
  const stack: FapiStack = {
    idp,
    app,
    url,
    env,
    key,
    restart: async (extra) => {
      await stack.app.close();
      stack.app = await boot(extra);
    },
    close: async () => {
      await stack.app.close();
      await idp.close();
    },
  };
  return stack;
}

/**
 * The demo API in front of a FAPI stack's IdP, verifying every DPoP proof and demanding its own
 * nonce (DEMO_API_DPOP_NONCE), with notifications going nowhere.
 */
export function startNonceDemandingDemoApi(stack: FapiStack, port: number): Promise<DemoApi> {
  return createDemoApi({
    port,
    issuer: stack.idp.issuer,
    audience: stack.idp.resources.api,
    publisher: { publish: () => Promise.resolve() },
    dpop: { requireNonce: true },
  });
}
