import { IsIn, IsInt, IsString, Matches, Max, Min, MinLength } from 'class-validator';
import { EnvVar } from './env-var.decorator';

/** Session sealing, lifetime and the cookie that carries the ticket. */
export class SessionConfig {
  @EnvVar('SESSION_SECRET', {
    required: true,
    doc: 'Server key (at least 32 characters) mixed into every session key; with the per-session secret in the cookie it opens a session. Same value on every instance.',
    secret: true,
  })
  @IsString()
  @MinLength(32, { message: 'must be at least 32 characters (use e.g. `openssl rand -base64 48`)' })
  secret = '';

  @EnvVar('SESSION_PREVIOUS_SECRETS', {
    kind: 'list',
    doc: 'Comma-separated former SESSION_SECRET values still accepted when opening sessions (key rotation).',
    secret: true,
  })
  @IsString({ each: true })
  @MinLength(32, { each: true, message: 'each entry must be at least 32 characters' })
  previousSecrets: string[] = [];

  @EnvVar('SESSION_IDLE_TIMEOUT_SECONDS', {
    kind: 'int',
    doc: 'A session unused this long ends (sliding).',
    default: '1800',
  })
  @IsInt()
  @Min(60)
  idleTimeoutSeconds = 1800;

  @EnvVar('SESSION_ABSOLUTE_TIMEOUT_SECONDS', {
    kind: 'int',
    doc: 'A session ends this long after login, however active.',
    default: '28800',
  })
  @IsInt()
  @Min(60)
  absoluteTimeoutSeconds = 28800;

  @EnvVar('SESSION_COOKIE_NAME', {
    doc: 'Name of the session cookie.',
    default: '`__Host-bff` (`bff` with BFF_DEV_INSECURE_COOKIES)',
  })
  @Matches(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/, { message: 'must be a valid cookie name (RFC 6265 token)' })
  cookieName = '';

  @EnvVar('SESSION_COOKIE_SAMESITE', {
    doc: '`strict` (the IETF browser-based-apps recommendation) or `lax`.',
    default: 'strict',
  })
  @IsIn(['strict', 'lax'])
  cookieSameSite: 'strict' | 'lax' = 'strict';

  @EnvVar('SESSION_LOGIN_TIMEOUT_SECONDS', {
    kind: 'int',
    doc: 'How long a started login may take before its callback is refused (at most 600).',
    default: '600',
  })
  @IsInt()
  @Min(30)
  @Max(600)
  loginTimeoutSeconds = 600;

  @EnvVar('SESSION_LOGIN_MAX_PENDING', {
    kind: 'int',
    doc: 'How many logins one browser may have pending at once (tabs logging in in parallel), each with its own short-lived login cookie; starting one more drops the oldest, whose callback is then refused (400 `invalid_state`). 1 to 16.',
    default: '8',
  })
  @IsInt()
  @Min(1)
  @Max(16)
  loginMaxPending = 8;

  @EnvVar('SESSION_CACHE_MS', {
    kind: 'int',
    doc: 'How long an instance may reuse a session it opened without reading Redis again; logout and refresh drop it on every instance at once through pub/sub. 0 disables.',
    default: '1000',
  })
  @IsInt()
  @Min(0)
  @Max(60000)
  cacheMs = 1000;
}
