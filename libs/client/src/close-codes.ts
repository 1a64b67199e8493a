/** What the client does after its socket closed with a given code. */
export type CloseAction = 'session-ended' | 'stop' | 'reconnect';

/** The BFF closes with 4001 when the socket's session ended (logout, expiry, back-channel logout). */
export const SESSION_ENDED = 4001;

/**
 * Codes the BFF uses against a client that broke a rule of the socket: 1003 a binary frame,
 * 1007 a frame that is not JSON `{ type }`, 1008 a flood, 1009 an oversized frame. This client
 * sends nothing, so they mean another script on the page misused the socket; reconnecting would
 * only be closed again.
 */
const CLIENT_FAULTS: ReadonlySet<number> = new Set([1003, 1007, 1008, 1009]);

/**
 * Everything else is worth another try, with back-off: 1001 (the instance is shutting down;
 * another takes over), 1006 (network lost, or the upgrade was refused: the client then asks
 * `/auth/user` first), 1011, and 1013 (this socket fell behind, or the BFF could not subscribe
 * its channels: both pass).
 */
export function actionAfterClose(code: number): CloseAction {
  if (code === SESSION_ENDED) return 'session-ended';
  if (CLIENT_FAULTS.has(code)) return 'stop';
  return 'reconnect';
}
