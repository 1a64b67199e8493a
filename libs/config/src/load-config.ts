import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { BffConfig, CONFIG_SECTIONS } from './bff-config';
import { ConfigValidationError } from './config-validation.error';
import { envVarsOf, parseEnvValue, type EnvVarSpec } from './env-var.decorator';
import { checkTransport } from './loopback';
import { OidcConfig } from './oidc.config';
import { ProxyConfig } from './proxy.config';
import { RedisConfig } from './redis.config';
import { ServerConfig } from './server.config';
import { SessionConfig } from './session.config';
import { RealtimeConfig } from './realtime.config';
import { TokenConfig } from './token.config';
import { UpstreamRoute } from './upstream-route';

type Env = Record<string, string | undefined>;

function readSection<T extends object>(section: new () => T, env: Env, problems: string[]): T {
  const instance = new section();
  for (const spec of envVarsOf(section)) {
    const text = env[spec.name];
    if (text === undefined || text === '') continue;
    const parsed = parseEnvValue(spec.kind, text);
    if ('problem' in parsed) problems.push(`${spec.name}: ${parsed.problem}`);
    else (instance as Record<string, unknown>)[spec.property] = parsed.value;
  }
  return instance;
}

/** Flattens class-validator's tree into `NAME: constraint` sentences. */
function describeErrors(errors: ValidationError[], nameOf: (property: string) => string, problems: string[]): void {
  for (const error of errors) {
    for (const message of Object.values(error.constraints ?? {})) {
      problems.push(`${nameOf(error.property)}: ${message.replace(new RegExp(`^${error.property} `), '')}`);
    }
    describeErrors(error.children ?? [], (child) => `${nameOf(error.property)}[${child}]`, problems);
  }
}

function validateSection(instance: object, specs: EnvVarSpec[], problems: string[]): void {
  const byProperty = new Map(specs.map((spec) => [spec.property, spec.name]));
  const errors = validateSync(instance, { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true });
  describeErrors(errors, (property) => byProperty.get(property) ?? property, problems);
}

function stripTrailingSlash(url: string): string {
  return url.endsWith('/') ? url.slice(0, -1) : url;
}

/** Fills the defaults that depend on other variables. */
function deriveDefaults(server: ServerConfig, oidc: OidcConfig, session: SessionConfig, problems: string[]): void {
  if (server.publicUrl === '') server.publicUrl = `http://localhost:${String(server.port || 3000)}`;
  server.publicUrl = stripTrailingSlash(server.publicUrl);
  let origin: string | undefined;
  try {
    origin = new URL(server.publicUrl).origin;
  } catch {
    problems.push(`BFF_PUBLIC_URL: expected an absolute URL, got "${server.publicUrl}"`);
  }
  if (server.allowedOrigins.length === 0 && origin) server.allowedOrigins = [origin];
  if (oidc.postLogoutRedirectUri === '') oidc.postLogoutRedirectUri = `${server.publicUrl}/`;
  if (session.cookieName === '') session.cookieName = server.devInsecureCookies ? 'bff' : '__Host-bff';
}

function checkCrossField(config: BffConfig, problems: string[]): void {
  const { server, oidc, session, redis, proxy, token } = config;
  if (token.lockLeaseMs <= oidc.httpTimeoutMs) {
    problems.push(
      'TOKEN_REFRESH_LOCK_LEASE_MS: must exceed OIDC_HTTP_TIMEOUT_MS, or a slow refresh could outlive its lock',
    );
  }
  if (oidc.issuer !== '') {
    const transport = checkTransport(oidc.issuer);
    if (transport) problems.push(`OIDC_ISSUER: ${transport}`);
  }
  const publicTransport = checkTransport(server.publicUrl);
  if (publicTransport) problems.push(`BFF_PUBLIC_URL: ${publicTransport}`);
  for (const origin of server.allowedOrigins) {
    if (!URL.canParse(origin) || new URL(origin).origin !== origin) {
      problems.push(`BFF_ALLOWED_ORIGINS: "${origin}" is not an origin (scheme://host[:port], no path)`);
    }
  }
  if (session.absoluteTimeoutSeconds < session.idleTimeoutSeconds) {
    problems.push('SESSION_ABSOLUTE_TIMEOUT_SECONDS: must not be shorter than SESSION_IDLE_TIMEOUT_SECONDS');
  }
  if (
    !publicTransport &&
    !server.devInsecureCookies &&
    session.cookieName.startsWith('__Host-') &&
    server.publicUrl.startsWith('http:')
  ) {
    const host = new URL(server.publicUrl).hostname;
    if (host !== 'localhost') {
      problems.push(
        'BFF_PUBLIC_URL: Secure __Host- cookies need https (browsers accept them on plain http only for localhost); use https or set BFF_DEV_INSECURE_COOKIES=true for local development',
      );
    }
  }
  if (redis.url === undefined && redis.mode !== 'standalone') {
    problems.push(`REDIS_URL: is required when REDIS_MODE is ${redis.mode}`);
  }
  if (redis.mode === 'sentinel' && redis.sentinels.length === 0) {
    problems.push('REDIS_SENTINELS: is required when REDIS_MODE is sentinel');
  }
  const seen = new Set<string>();
  proxy.routes.forEach((route, index) => {
    const label = `BFF_ROUTES[${String(index)}] (${route.name || 'unnamed'})`;
    if (seen.has(route.name)) problems.push(`${label}: duplicate route name "${route.name}"`);
    seen.add(route.name);
    const transport = checkTransport(route.upstream);
    if (transport) problems.push(`${label}.upstream: ${transport}`);
    else {
      const url = new URL(route.upstream);
      if (url.search || url.hash || url.username || url.password) {
        problems.push(`${label}.upstream: must not carry a query, fragment or credentials`);
      }
    }
  });
}

function readRoutes(proxy: ProxyConfig, problems: string[]): void {
  const raw = proxy.routes as unknown;
  if (!Array.isArray(raw)) {
    problems.push('BFF_ROUTES: expected a JSON array of routes');
    proxy.routes = [];
    return;
  }
  proxy.routes = raw.map((item: unknown) =>
    typeof item === 'object' && item !== null ? plainToInstance(UpstreamRoute, item) : (item as UpstreamRoute),
  );
}

/**
 * Reads, validates and cross-checks the whole configuration from an environment.
 * Throws one {@link ConfigValidationError} that lists every problem, each with
 * the variable's name, so an operator fixes them in one go.
 */
export function loadConfig(env: Env): BffConfig {
  const problems: string[] = [];
  const server = readSection(ServerConfig, env, problems);
  const oidc = readSection(OidcConfig, env, problems);
  const session = readSection(SessionConfig, env, problems);
  const redis = readSection(RedisConfig, env, problems);
  const proxy = readSection(ProxyConfig, env, problems);
  const token = readSection(TokenConfig, env, problems);
  const realtime = readSection(RealtimeConfig, env, problems);
  readRoutes(proxy, problems);
  deriveDefaults(server, oidc, session, problems);
  const config = new BffConfig(server, oidc, session, redis, proxy, token, realtime);
  CONFIG_SECTIONS.forEach((section, index) => {
    validateSection(
      [server, oidc, session, token, redis, proxy, realtime][index] as object,
      envVarsOf(section),
      problems,
    );
  });
  checkCrossField(config, problems);
  if (problems.length > 0) throw new ConfigValidationError(problems);
  return config;
}
