import type { ResourceServer } from 'oidc-provider';
import { errors } from 'oidc-provider';

/** One resource server's settings, as oidc-provider takes them; every one has a token lifetime. */
export type DevResourceServer = ResourceServer & { accessTokenTTL: number };

/**
 * The resource servers (RFC 8707 resource indicators) the dev IdP issues access tokens for. Each
 * token is an RS256 JWT (RFC 9068) whose `aud` is the indicator itself, so "resource" and
 * "audience" name the same thing here.
 */
export interface DevResourceServers {
  /** The demo API's main audience: a token request that names no target gets this one. */
  readonly primary: string;
  /** Every indicator, the primary first; an authorization request without `resource` covers all. */
  readonly indicators: readonly string[];
  /** The settings of one indicator; InvalidTarget for one the IdP does not know. */
  info(indicator: string): DevResourceServer;
}

export interface ResourceServerSettings {
  /** The demo API's main audience (`/me`, `/orders`, `/notify`, `/public/*`). */
  resource: string;
  /** The demo API's reports audience (`/reports/*`). */
  reportsResource: string;
  accessTokenTtlSeconds: number;
}

/** Scopes each resource server knows; OIDC scopes included so a user token's `scope` is not empty. */
const USER_SCOPES = 'openid profile email';

/** Checked when the IdP is built: a bad indicator is a configuration error, not a request error. */
function assertIndicator(name: string, value: string): void {
  // RFC 8707 §2: an absolute URI that must not include a fragment.
  if (!URL.canParse(value) || value.includes('#')) {
    throw new TypeError(`dev IdP: ${name} must be an absolute URI without a fragment, got "${value}"`);
  }
}

/** Builds the two resource servers of the demo: the API and its reports. */
export function defineResourceServers(s: ResourceServerSettings): DevResourceServers {
  assertIndicator('resource', s.resource);
  assertIndicator('reportsResource', s.reportsResource);
  if (s.resource === s.reportsResource) {
    throw new TypeError(`dev IdP: resource and reportsResource must differ, both are "${s.resource}"`);
  }
  const server = (audience: string, scopes: string): DevResourceServer => ({
    scope: `${scopes} ${USER_SCOPES}`,
    audience,
    accessTokenFormat: 'jwt',
    accessTokenTTL: s.accessTokenTtlSeconds,
    jwt: { sign: { alg: 'RS256' } },
  });
  const servers = new Map<string, DevResourceServer>([
    [s.resource, server(s.resource, 'api')],
    [s.reportsResource, server(s.reportsResource, 'reports')],
  ]);
  return {
    primary: s.resource,
    indicators: [...servers.keys()],
    info: (indicator) => {
      const found = servers.get(indicator);
      if (!found) throw new errors.InvalidTarget('resource indicator is unknown');
      return found;
    },
  };
}

/** A token request's `resource` and `audience` parameters: one value, several, or none. */
export interface TargetParameters {
  resource?: unknown;
  audience?: unknown;
}

function valuesOf(param: unknown): string[] {
  if (param === undefined) return [];
  return (Array.isArray(param) ? param : [param]).map(String);
}

/**
 * The one resource server a token request is for: named by `resource` (RFC 8707), by `audience`
 * (RFC 8693, the server whose tokens carry that `aud`), by both when they agree, or the primary
 * when neither is given. One token has one audience, so a second value is `invalid_target`.
 */
export function resolveTarget(servers: DevResourceServers, params: TargetParameters): string {
  const resources = valuesOf(params.resource);
  const audiences = valuesOf(params.audience);
  if (resources.length > 1 || audiences.length > 1) {
    throw new errors.InvalidTarget('only one resource and one audience may be requested');
  }
  const [resource] = resources;
  const [audience] = audiences;
  if (resource !== undefined) servers.info(resource);
  const byAudience =
    audience === undefined ? undefined : servers.indicators.find((i) => servers.info(i).audience === audience);
  if (audience !== undefined && byAudience === undefined) {
    throw new errors.InvalidTarget('audience is unknown');
  }
  if (resource !== undefined && byAudience !== undefined && resource !== byAudience) {
    throw new errors.InvalidTarget('resource and audience name different resource servers');
  }
  return resource ?? byAudience ?? servers.primary;
}

/** The space-separated `scope` parameter as a list (empty when absent). */
export function scopesOf(param: unknown): string[] {
  return typeof param === 'string' ? param.split(' ').filter(Boolean) : [];
}

/**
 * The requested scopes that a resource server knows, or undefined when none is left. RFC 6749
 * §3.3 lets the server grant fewer scopes than asked; the response's `scope` says which it did.
 */
export function grantableScope(server: ResourceServer, requested: Iterable<string>): string | undefined {
  const known = new Set(server.scope.split(' '));
  const granted = [...new Set(requested)].filter((scope) => known.has(scope));
  return granted.length > 0 ? granted.join(' ') : undefined;
}
