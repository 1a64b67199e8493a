import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Max,
  Min,
  MinLength,
  registerDecorator,
  type ValidationArguments,
} from 'class-validator';
import { EnvVar } from './env-var.decorator';

/** Two listeners cannot share a port: the management port must not be `PORT`. */
function DiffersFromPort(): PropertyDecorator {
  return (target, property) => {
    registerDecorator({
      name: 'differsFromPort',
      target: target.constructor,
      propertyName: String(property),
      validator: {
        validate: (value: unknown, args: ValidationArguments) => value !== (args.object as ServerConfig).port,
        defaultMessage: () => 'must differ from PORT (the management listener needs a port of its own)',
      },
    });
  };
}

/** Where the BFF listens and how the browser reaches it. */
export class ServerConfig {
  @EnvVar('PORT', { kind: 'int', doc: 'TCP port of the BFF (0 picks a free one).', default: '3000' })
  @IsInt()
  @Min(0)
  @Max(65535)
  port = 3000;

  @EnvVar('BFF_HOST', {
    doc: 'Listen address. Unset: localhost only (IPv4 and IPv6 loopback); set `0.0.0.0` or `::` in a container or behind a proxy on another host.',
  })
  @IsOptional()
  @IsString()
  host?: string;

  @EnvVar('BFF_PUBLIC_URL', {
    doc: 'The origin (and optional base path) browsers use to reach the BFF; the OIDC redirect URI is derived from it.',
    default: 'http://localhost:<PORT>',
  })
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] })
  publicUrl = '';

  @EnvVar('BFF_ALLOWED_ORIGINS', {
    kind: 'list',
    doc: 'Comma-separated origins allowed to open the WebSocket and to send `Origin` on `/auth/user` and `/api` calls (exact match; the origin of BFF_PUBLIC_URL is always allowed on HTTP).',
    default: 'the origin of BFF_PUBLIC_URL',
  })
  @IsString({ each: true })
  allowedOrigins: string[] = [];

  @EnvVar('BFF_STATIC_DIR', { doc: 'A folder of static files (the SPA) served at `/`; unset serves none.' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  staticDir?: string;

  @EnvVar('BFF_DEV_INSECURE_COOKIES', {
    kind: 'bool',
    doc: 'Plain-http development only: drops `Secure` and the `__Host-` prefix from cookies. Never in production.',
    default: 'false',
  })
  @IsBoolean()
  devInsecureCookies = false;

  @EnvVar('BFF_TRUST_PROXY', {
    kind: 'bool',
    doc: 'Behind a TLS-terminating proxy: trust its X-Forwarded-For/Proto for the client address forwarded upstream.',
    default: 'false',
  })
  @IsBoolean()
  trustProxy = false;

  @EnvVar('BFF_REQUEST_BODY_TIMEOUT_MS', {
    kind: 'int',
    doc: 'Time a client has to send a whole request body, from its headers on; a slower one gets 408 and its connection is closed (at the default 10 MiB body limit that asks for at least ~175 KB/s; raise both together for large uploads on slow links).',
    default: '60000',
  })
  @IsInt()
  @Min(100)
  @Max(3600000)
  requestBodyTimeoutMs = 60000;

  @EnvVar('BFF_SHUTDOWN_TIMEOUT_MS', {
    kind: 'int',
    doc: 'On SIGTERM/SIGINT: stop accepting, close sockets with 1001, let in-flight requests finish for at most this long, then exit.',
    default: '10000',
  })
  @IsInt()
  @Min(0)
  @Max(600000)
  shutdownTimeoutMs = 10000;

  @EnvVar('BFF_LOG_LEVEL', {
    doc: 'JSON log level: `trace`, `debug`, `info`, `warn`, `error`, `fatal` or `silent`. Tokens, cookies, codes and secrets are never logged at any level.',
    default: 'info',
  })
  @IsIn(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'])
  logLevel: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent' = 'info';

  @EnvVar('BFF_ACCESS_LOG', {
    kind: 'bool',
    doc: 'One `info` line per completed request (`reqId`, `method`, route pattern, `status`, `durationMs`; never the query, a cookie or a token). `false` turns it off.',
    default: 'true',
  })
  @IsBoolean()
  accessLog = true;

  @EnvVar('BFF_MANAGEMENT_PORT', {
    kind: 'int',
    doc: 'A second, plain-HTTP listener for `/metrics`, `/health/*` and `/internal/*`; once set they answer only there (404 on PORT), and it serves nothing else. Unset: everything on PORT. Probes and Prometheus use this port.',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(65535)
  @DiffersFromPort()
  managementPort?: number;

  @EnvVar('BFF_MANAGEMENT_HOST', {
    doc: 'Listen address of BFF_MANAGEMENT_PORT. In a container set `0.0.0.0` so that the kubelet and Prometheus reach it, and keep it off the public route.',
    default: '127.0.0.1',
  })
  @IsString()
  @MinLength(1)
  managementHost = '127.0.0.1';
}
