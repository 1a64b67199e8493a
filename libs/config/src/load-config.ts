import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { BffConfig, CONFIG_SECTIONS } from './bff-config';
import { ConfigValidationError } from './config-validation.error';
import { envVarsOf, parseEnvValue, type EnvVarSpec } from './env-var.decorator';
import { checkTransport } from './loopback';
import { MAX_LOGIN_PARAMETER_LENGTH, OidcConfig } from './oidc.config';
import { applyOidcProfile, checkClientAuthentication } from './oidc-client-rules';
import { ProxyConfig } from './proxy.config';
import { RedisConfig } from './redis.config';
import { ServerConfig } from './server.config';
import { SessionConfig } from './session.config';
import { RealtimeConfig } from './realtime.config';
import { TokenConfig } from './token.config';
import { TracingConfig } from './tracing.config';
import { UpstreamRoute } from './upstream-route';

type Env = Record<string, string | undefined>;

/** One section of {@link BffOptions}: any of the section's fields, in their typed form. */
export type SectionOptions<T> = { -readonly [K in keyof T]?: T[K] };

/** A route as options carry it: plain data, checked like `BFF_ROUTES` entries. */
export type RouteOptions = SectionOptions<UpstreamRoute>;

/**
 * The BFF's configuration as code passes it (`BffModule.forRoot(options)`), one
 * object per section. Every field is optional here; what is required, and every
 * rule, is checked by {@link configFromOptions} exactly as for the environment.
 */
export interface BffOptions {
  server?: SectionOptions<ServerConfig>;
  oidc?: SectionOptions<OidcConfig>;
  session?: SectionOptions<SessionConfig>;
  redis?: SectionOptions<RedisConfig>;
  proxy?: Omit<SectionOptions<ProxyConfig>, 'routes'> & { routes?: RouteOptions[] };
  token?: SectionOptions<TokenConfig>;
  realtime?: SectionOptions<RealtimeConfig>;
  tracing?: SectionOptions<TracingConfig>;
}

/** Problems met while reading an environment, reported with the rest by {@link configFromOptions}. */
const ENV_PROBLEMS = Symbol('bff:env-problems');

function readSection<T extends object>(section: new () => T, env: Env, problems: string[]): SectionOptions<T> {
  const values: Record<string, unknown> = {};
  for (const spec of envVarsOf(section)) {
    const text = env[spec.name];
    if (text === undefined || text === '') continue;
    const parsed = parseEnvValue(spec.kind, text);
    if ('problem' in parsed) problems.push(`${spec.name}: ${parsed.problem}`);
    else values[spec.property] = parsed.value;
  }
  return values as SectionOptions<T>;
}

/**
 * The options the environment describes (the variables of the configuration
 * reference). Nothing is validated here: pass the result to `BffModule.forRoot`
 * or {@link configFromOptions}, which report every problem at once, including
 * variables that could not be parsed.
 */
export function bffOptionsFromEnv(env: Env): BffOptions {
  const problems: string[] = [];
  const options: BffOptions = {
    server: readSection(ServerConfig, env, problems),
    oidc: readSection(OidcConfig, env, problems),
    session: readSection(SessionConfig, env, problems),
    redis: readSection(RedisConfig, env, problems),
    proxy: readSection(ProxyConfig, env, problems),
    token: readSection(TokenConfig, env, problems),
    realtime: readSection(RealtimeConfig, env, problems),
    tracing: readSection(TracingConfig, env, problems),
  };
  Object.defineProperty(options, ENV_PROBLEMS, { value: problems, enumerable: false });
  return options;
}

/** A section instance: its defaults, overlaid with the options given. */
function sectionOf<T extends object>(section: new () => T, values: object | undefined): T {
  return Object.assign(new section(), values ?? {});
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
  checkClientAuthentication(oidc, problems);
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
    for (const problem of impossiblePolicy(route)) problems.push(`${label}: ${problem}`);
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

/** Combinations of a route's token policy and its token parameters that cannot work. */
function impossiblePolicy(route: UpstreamRoute): string[] {
  const problems: string[] = [];
  const asks = route.audience !== undefined || route.resource !== undefined || route.scope !== undefined;
  if (route.token === 'exchange' && route.audience === undefined && route.resource === undefined) {
    problems.push('token "exchange" needs an "audience" or a "resource" to exchange the user token for');
  }
  if (route.token === 'none' && asks) {
    problems.push('token "none" sends no token, so "audience", "resource" and "scope" mean nothing');
  }
  if (route.acr !== undefined && route.token !== 'user' && route.token !== 'exchange') {
    problems.push(`token "${route.token}" does not need a session, so "acr" (step-up) means nothing; use "user"`);
  }
  // The step-up login asks for them as acr_values, which /auth/login takes up to its length limit.
  if (Array.isArray(route.acr) && route.acr.join(' ').length > MAX_LOGIN_PARAMETER_LENGTH) {
    problems.push(`"acr" joined by spaces must be at most ${String(MAX_LOGIN_PARAMETER_LENGTH)} characters`);
  }
  if ((route.token === 'user' || route.token === 'optional-user') && route.audience !== undefined) {
    problems.push(
      `token "${route.token}" can be narrowed by "resource" (RFC 8707), not "audience"; use "exchange" for an audience`,
    );
  }
  return problems;
}

function readRoutes(proxy: ProxyConfig, problems: string[]): void {
  const raw = proxy.routes as unknown;
  if (!Array.isArray(raw)) {
    problems.push('BFF_ROUTES: expected a JSON array of routes');
    proxy.routes = [];
    return;
  }
  proxy.routes = raw.map((item: unknown) =>
    typeof item === 'object' && item !== null && !(item instanceof UpstreamRoute)
      ? plainToInstance(UpstreamRoute, item)
      : (item as UpstreamRoute),
  );
}

/**
 * Validates and cross-checks options (from code, or from {@link bffOptionsFromEnv})
 * into the configuration the BFF runs with. Throws one {@link ConfigValidationError}
 * that lists every problem, each named by its environment variable (the names of
 * the configuration reference), so an operator fixes them in one go.
 */
export function configFromOptions(options: BffOptions): BffConfig {
  const problems: string[] = [...((options as { [ENV_PROBLEMS]?: string[] })[ENV_PROBLEMS] ?? [])];
  const server = sectionOf(ServerConfig, options.server);
  const oidc = sectionOf(OidcConfig, options.oidc);
  const session = sectionOf(SessionConfig, options.session);
  const redis = sectionOf(RedisConfig, options.redis);
  const proxy = sectionOf(ProxyConfig, options.proxy);
  const token = sectionOf(TokenConfig, options.token);
  const realtime = sectionOf(RealtimeConfig, options.realtime);
  const tracing = sectionOf(TracingConfig, options.tracing);
  readRoutes(proxy, problems);
  applyOidcProfile(oidc, options.oidc ?? {}, problems);
  deriveDefaults(server, oidc, session, problems);
  const config = new BffConfig(server, oidc, session, redis, proxy, token, realtime, tracing);
  CONFIG_SECTIONS.forEach((section, index) => {
    validateSection(
      [server, oidc, session, token, redis, proxy, realtime, tracing][index] as object,
      envVarsOf(section),
      problems,
    );
  });
  checkCrossField(config, problems);
  if (problems.length > 0) throw new ConfigValidationError(problems);
  return config;
}

/** Reads, validates and cross-checks the whole configuration from an environment (see {@link configFromOptions}). */
export function loadConfig(env: Env): BffConfig {
  return configFromOptions(bffOptionsFromEnv(env));
}
