import type { Duplex } from 'node:stream';
import { Logger } from '@nestjs/common';
import { BffError, describeChain, rawHttpError, toErrorResponse } from '@bff/errors';
import { InvalidUpgradeError } from './realtime.errors';

const logger = new Logger('WebSocketUpgrade');

/**
 * The one place a refused WebSocket upgrade is answered, whoever refuses it
 * (the authenticator, ws's handshake checks, Nest's URL parsing, shutdown):
 * the BFF's `{ error, message }` JSON with its baseline headers, written on the
 * raw socket because an upgrade has no response object. ws's own refusal is
 * not used: it starts from `Content-Type: text/html` in its capitalisation,
 * so our lower-case headers would be sent next to it, not instead of it.
 */
export function refuseUpgrade(socket: Duplex, error: unknown): void {
  const { status, body } = toErrorResponse(error);
  log(error, status, body.error);
  // The peer may reset mid-write; that must not become an unhandled 'error' event.
  socket.on('error', () => socket.destroy());
  if (socket.destroyed || !socket.writable) {
    socket.destroy();
    return;
  }
  socket.once('finish', () => socket.destroy());
  socket.end(rawHttpError(status, body, error instanceof InvalidUpgradeError ? { ...error.headers } : {}));
}

/**
 * ws's handshake error as a typed refusal. ws's 'wsClientError' event carries
 * only its message, not the status it would have sent, so the two messages
 * that need more than a plain 400 are recognised by their text.
 */
export function invalidUpgradeFrom(wsError: Error): InvalidUpgradeError {
  const reason = wsError.message;
  if (reason === 'Invalid HTTP method') return new InvalidUpgradeError(reason, 405, { allow: 'GET' });
  if (reason === 'Missing or invalid Sec-WebSocket-Version header') {
    // RFC 6455 §4.4: the refusal names the versions the server speaks.
    return new InvalidUpgradeError(reason, 400, { 'sec-websocket-version': '13, 8' });
  }
  return new InvalidUpgradeError(reason);
}

function log(error: unknown, status: number, code: string): void {
  const line = `WebSocket upgrade refused: ${String(status)} ${code}`;
  if (status >= 500) logger.error(`${line}: ${describeChain(error)}`);
  // A missing session is the routine answer to a logged-out tab reconnecting.
  else if (error instanceof BffError && code === 'session_required') logger.debug(line);
  else logger.warn(line);
}
