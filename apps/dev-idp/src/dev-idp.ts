import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';
import { SignJWT, importJWK, type JWK as JoseJwk } from 'jose';
import { registerClientCredentialsGrant } from './client-credentials.grant';
import { findDevAccount } from './dev-users';
import { generateEcSigningKey, resolveFapiMode, type DevIdpFapiOptions } from './fapi-mode';
import { handleInteraction } from './interaction-handler';
import {
  buildProviderConfiguration,
  generateSigningKey,
  INTERACTION_PREFIX,
  INTERACTION_TTL_SECONDS,
  publicJwkOf,
  ROUTES,
  type DevIdpClient,
} from './provider-config';
import { defineResourceServers } from './resource-servers';
import { PendingSecondFactors } from './second-factor';
import { registerTokenExchangeGrant } from './token-exchange.grant';

/** How to start a dev IdP. */
export interface DevIdpOptions {
  /** Port to listen on; 0 (the default) picks a free one. */
  port?: number;
  /** Listen address, default '127.0.0.1'. */
  host?: string;
  /** Host name in the issuer URL, default 'localhost' → issuer `http://localhost:<actual port>`. */
  issuerHost?: string;
  clients: DevIdpClient[];
  /** Access-token lifetime, default 60 s (short so that the demo shows refreshes). */
  accessTokenTtlSeconds?: number;
  /**
   * The demo API's main audience (resource indicator), default 'http://localhost:4001': tokens of
   * the code flow and of requests that name no target are for it.
   */
  resource?: string;
  /** The demo API's reports audience, default `<resource>/reports` ('http://localhost:4001/reports'). */
  reportsResource?: string;
  /**
   * `fapi2`: FAPI 2.0 mode. PAR required, DPoP with server nonces, private_key_jwt clients (their
   * keys by `jwksUri` or inline `jwks`), ES256 ID tokens, oidc-provider's FAPI 2.0 profile. Default
   * (unset): a classic confidential-client provider, client_secret_basic and RS256.
   */
  profile?: 'default' | 'fapi2';
  /** FAPI 2.0 mode only: turn one of its features off (see {@link DevIdpFapiOptions}). */
  fapi?: DevIdpFapiOptions;
}

/** The audiences (RFC 8707 resource indicators) of the dev IdP's JWT access tokens. */
export interface DevIdpResources {
  /** The demo API: `/me`, `/orders`, `/notify`, `/public/*`. */
  api: string;
  /** The demo API's `/reports/*`: reached by token exchange or a refresh with `resource`. */
  reports: string;
}

/** Counters for tests: how the relying party used the token and revocation endpoints. */
export interface DevIdpStats {
  /** Every POST to the token endpoint, including ones answered by an injected fault. */
  tokenRequests: number;
  /**
   * Token requests that reached oidc-provider, by grant_type, whether they succeeded or not:
   * `authorization_code`, `refresh_token`, `client_credentials` and
   * `urn:ietf:params:oauth:grant-type:token-exchange`.
   */
  grants: Record<string, number>;
  /** Successful (200) calls to the revocation endpoint. */
  revocations: number;
}

/** Counters for tests: PAR and client assertions (the high-assurance client's side of things). */
export interface DevIdpClientStats {
  /** Every POST to the PAR endpoint, including ones answered by an injected fault. */
  parRequests: number;
  /**
   * Every client assertion (private_key_jwt) the provider accepted, in order: the endpoint
   * (oidc-provider's route name: `token`, `revocation`, `pushed_authorization_request`), the
   * key id and the algorithm.
   */
  clientAssertions: { route: string; kid?: string; alg: string }[];
}

/**
 * Injected failure of the token or the PAR endpoint: `…-500` answers 500 JSON, `…-hang` never
 * answers (until close()); `stale-auth-time`: logins finish with an `auth_time` an hour old (an
 * IdP that ignores `max_age`, or a skewed clock); null serves normally.
 */
export type DevIdpFault =
  'token-endpoint-500' | 'token-endpoint-hang' | 'par-endpoint-500' | 'par-endpoint-hang' | 'stale-auth-time' | null;

/** How old `auth_time` is under the `stale-auth-time` fault. */
const STALE_AUTH_TIME_SECONDS = 3600;

/** A running dev IdP. */
export interface DevIdp {
  /** `http://<issuerHost>:<port>`, the discovery base. */
  issuer: string;
  port: number;
  /** The audiences its access tokens carry. */
  resources: DevIdpResources;
  /** Live counters; the object is mutated in place, read it after the calls of interest. */
  stats: DevIdpStats;
  /** Live counters of PAR requests and client assertions, mutated in place like {@link stats}. */
  clientStats: DevIdpClientStats;
  /** The oidc-provider instance, for events or adapter access in tests. */
  provider: Provider;
  setFault(fault: DevIdpFault): void;
  resetStats(): void;
  /**
   * Signs arbitrary claims with the provider's own key, as the provider would:
   * tests use it to craft logout tokens that are validly signed but wrong in
   * one claim. Development only, like everything here.
   */
  signJwt(claims: Record<string, unknown>, typ?: string): Promise<string>;
  /** Stops listening and destroys every open connection, hung ones included. */
  close(): Promise<void>;
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** The endpoints whose failure tests can inject (see {@link DevIdpFault}). */
const FAULTY_ENDPOINTS: Partial<Record<string, 'token-endpoint' | 'par-endpoint'>> = {
  [ROUTES.token]: 'token-endpoint',
  [ROUTES.pushed_authorization_request]: 'par-endpoint',
};

function grantTypeOf(ctx: { oidc?: { params?: Record<string, unknown> } }): string {
  const value = ctx.oidc?.params?.grant_type;
  return typeof value === 'string' && value ? value : 'unknown';
}

/**
 * Starts a real OpenID Provider (oidc-provider) for development, the demo and tests.
 * The server listens first so that port 0 works and the issuer names the real port.
 */
export async function createDevIdp(options: DevIdpOptions): Promise<DevIdp> {
  const host = options.host ?? '127.0.0.1';
  const stats: DevIdpStats = { tokenRequests: 0, grants: {}, revocations: 0 };
  const clientStats: DevIdpClientStats = { parRequests: 0, clientAssertions: [] };
  let fault: DevIdpFault = null;
  let dispatch: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => {
    res.writeHead(503).end();
  };

  const server = createServer((req, res) => dispatch(req, res));
  const port = await listen(server, options.port ?? 0, host);
  const issuer = `http://${options.issuerHost ?? 'localhost'}:${String(port)}`;

  const signingKey = await generateSigningKey();
  const fapi =
    options.profile === 'fapi2'
      ? { mode: resolveFapiMode(options.fapi), ecSigningKey: await generateEcSigningKey() }
      : undefined;
  const accessTokenTtlSeconds = options.accessTokenTtlSeconds ?? 60;
  const resource = options.resource ?? 'http://localhost:4001';
  const resources = { api: resource, reports: options.reportsResource ?? `${resource.replace(/\/+$/, '')}/reports` };
  let provider: Provider;
  try {
    const servers = defineResourceServers({
      resource: resources.api,
      reportsResource: resources.reports,
      accessTokenTtlSeconds,
    });
    provider = new Provider(
      issuer,
      buildProviderConfiguration({
        signingKey,
        clients: options.clients,
        accessTokenTtlSeconds,
        servers,
        fapi,
        onClientAssertion: (assertion) => clientStats.clientAssertions.push(assertion),
      }),
    );
    // Before the first request: the clients' grant_types are checked against these when first used.
    registerClientCredentialsGrant(provider, servers);
    registerTokenExchangeGrant(provider, {
      servers,
      keys: { keys: [publicJwkOf(signingKey) as JoseJwk] },
      findAccount: findDevAccount,
    });
  } catch (err) {
    server.close();
    throw err;
  }

  const countGrant = (ctx: Parameters<typeof grantTypeOf>[0]): void => {
    const type = grantTypeOf(ctx);
    stats.grants[type] = (stats.grants[type] ?? 0) + 1;
  };
  provider.on('grant.success', countGrant);
  provider.on('grant.error', countGrant);
  provider.on('backchannel.error', (_ctx, err, client) => {
    // Otherwise invisible: the logout page succeeds even when the RP never heard of it.
    console.error(`dev IdP: back-channel logout to ${client.clientId} failed: ${err.message}`);
  });
  provider.on('server_error', (_ctx, err) => {
    // A 500 from the provider is a bug in this configuration; say so instead of hiding it.
    console.error('dev IdP server_error:', err);
  });

  const interactions = {
    pending: new PendingSecondFactors(INTERACTION_TTL_SECONDS * 1000),
    loginTs: () => Math.floor(Date.now() / 1000) - (fault === 'stale-auth-time' ? STALE_AUTH_TIME_SECONDS : 0),
  };
  const callback = provider.callback();
  dispatch = (req, res) => {
    const path = new URL(req.url ?? '/', issuer).pathname;
    const faulty = req.method === 'POST' ? FAULTY_ENDPOINTS[path] : undefined;
    if (faulty) {
      if (faulty === 'token-endpoint') stats.tokenRequests += 1;
      else clientStats.parRequests += 1;
      if (fault === `${faulty}-500`) {
        res.writeHead(500, { 'content-type': 'application/json', 'cache-control': 'no-store' });
        res.end(JSON.stringify({ error: 'server_error', error_description: 'injected fault' }));
        return;
      }
      // Never answered; close() destroys the socket.
      if (fault === `${faulty}-hang`) return;
    }
    if (req.method === 'POST' && path === ROUTES.revocation) {
      // oidc-provider emits no event for a successful revocation; its 200 is the signal.
      res.once('finish', () => {
        if (res.statusCode === 200) stats.revocations += 1;
      });
    }
    if (path.startsWith(INTERACTION_PREFIX)) {
      handleInteraction(provider, interactions, req, res).catch((err: unknown) => {
        console.error('dev IdP interaction failed:', err);
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end('interaction failed');
      });
      return;
    }
    void callback(req, res);
  };

  return {
    issuer,
    port,
    resources,
    stats,
    clientStats,
    provider,
    setFault: (f) => {
      fault = f;
    },
    signJwt: async (claims, typ = 'logout+jwt') =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid: signingKey.kid, typ })
        .sign(await importJWK(structuredClone(signingKey) as JoseJwk, 'RS256')),
    resetStats: () => {
      stats.tokenRequests = 0;
      stats.revocations = 0;
      clientStats.parRequests = 0;
      clientStats.clientAssertions.length = 0;
      // Clear in place so a reference to stats.grants held by a test stays live.
      // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- a plain record by design: tests compare it with toEqual
      for (const key of Object.keys(stats.grants)) delete stats.grants[key];
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        if (!server.listening) {
          resolve();
          return;
        }
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
