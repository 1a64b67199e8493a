import { BadRequestError, BffError } from '@bff/errors';

// The internal token's errors live with its check, `internalTokenCheck` in libs/auth.

/** The publish body is not `{ channel, message: { type, data } }` on an allowed channel. */
export class InvalidPublishError extends BadRequestError {
  constructor(reason: string) {
    super('invalid_publish', `The publish request was refused: ${reason}.`);
  }
}

/** A publisher tried to send a frame type only the gateway itself sends (`ready`, `pong`, `error`). */
export class ReservedFrameTypeError extends InvalidPublishError {
  constructor(type: string) {
    super(`type ${JSON.stringify(type)} is reserved for the gateway's own frames`);
  }
}

/** The upgrade's `Origin` is not one of BFF_ALLOWED_ORIGINS: the CSRF defence of `/ws` (403). */
export class OriginNotAllowedError extends BffError {
  constructor() {
    super('origin_not_allowed', 403, 'This origin may not open the WebSocket.');
  }
}

/** The session already holds BFF_WS_MAX_SOCKETS_PER_SESSION sockets on this instance (429). */
export class TooManySocketsError extends BffError {
  constructor(max: number) {
    super(
      'too_many_sockets',
      429,
      `This session already has ${String(max)} WebSockets open on this server; close one before opening another.`,
    );
  }
}

/**
 * A handshake that is not a valid WebSocket upgrade (400), or not a GET (405).
 * `headers` are the ones the refusal must carry (`Allow`, `Sec-WebSocket-Version`).
 */
export class InvalidUpgradeError extends BffError {
  constructor(
    reason: string,
    status: 400 | 405 = 400,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super('invalid_upgrade', status, `The WebSocket handshake was refused: ${reason}.`);
  }
}

/** An upgrade verified while the WebSocket server was already closing (503). */
export class GatewayClosingError extends BffError {
  constructor() {
    super('shutting_down', 503, 'This server is shutting down; connect again.', { expose: true });
  }
}
