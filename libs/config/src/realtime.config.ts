import { IsInt, IsOptional, IsString, Max, Min, MinLength } from 'class-validator';
import { EnvVar } from './env-var.decorator';

/** The session-bound WebSocket at `/ws` and the internal publish endpoint. */
export class RealtimeConfig {
  @EnvVar('BFF_WS_PING_INTERVAL_MS', {
    kind: 'int',
    doc: 'The server pings every socket this often; a peer that has not answered the previous ping is dropped. Ended or expired sessions are also noticed at this pace.',
    default: '30000',
  })
  @IsInt()
  @Min(100)
  @Max(600000)
  pingIntervalMs = 30000;

  @EnvVar('BFF_WS_MAX_MESSAGE_BYTES', {
    kind: 'int',
    doc: 'Largest client → server frame; a larger one closes the socket with 1009.',
    default: '4096',
  })
  @IsInt()
  @Min(64)
  @Max(1048576)
  maxMessageBytes = 4096;

  @EnvVar('BFF_WS_MAX_MESSAGES_PER_SECOND', {
    kind: 'int',
    doc: 'Sustained client → server message rate (bursts of twice that); a flood closes the socket with 1008.',
    default: '20',
  })
  @IsInt()
  @Min(1)
  @Max(10000)
  maxMessagesPerSecond = 20;

  @EnvVar('BFF_WS_MAX_BUFFERED_BYTES', {
    kind: 'int',
    doc: 'Unsent bytes a socket may queue; a slower consumer is dropped with 1013 instead of growing memory.',
    default: '1048576',
  })
  @IsInt()
  @Min(1024)
  @Max(268435456)
  maxBufferedBytes = 1048576;

  @EnvVar('BFF_WS_MAX_SOCKETS_PER_SESSION', {
    kind: 'int',
    doc: 'WebSockets one session may hold open on one BFF instance (a socket stays on the instance that accepted it, so N instances allow up to N times this); one more upgrade is refused with 429.',
    default: '20',
  })
  @IsInt()
  @Min(1)
  @Max(1000)
  maxSocketsPerSession = 20;

  @EnvVar('BFF_INTERNAL_TOKEN', {
    doc: 'Bearer token that enables the `/internal/*` endpoints: `POST /internal/publish` for services that do not speak Redis, and `POST /internal/sessions/revoke` (at least 16 characters). Unset: the endpoints do not exist.',
    secret: true,
  })
  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'must be at least 16 characters' })
  internalToken?: string;
}
