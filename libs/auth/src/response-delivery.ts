/** What a Node `ServerResponse` tells about its fate. */
export interface ClosingResponse {
  readonly statusCode: number;
  /** True once every byte was handed to the operating system. */
  readonly writableFinished: boolean;
  /** True once the response or its connection has closed. */
  readonly closed: boolean;
  once(event: 'close', listener: () => void): unknown;
}

/**
 * Calls `onUndelivered` once the response has closed, unless it was written in full
 * with `expectedStatus`. Covers every way a response can fail after the handler
 * returned: a header Node refuses to write (turned into a 500 by the error path),
 * an error page instead of the redirect, a client that went away first (even
 * before this was called: the close event has then already passed).
 */
export function whenUndelivered(response: ClosingResponse, expectedStatus: number, onUndelivered: () => void): void {
  whenClosed(response, () => {
    if (!response.writableFinished || response.statusCode !== expectedStatus) onUndelivered();
  });
}

/**
 * Calls `then` once the response has closed: written in full (every byte handed to the
 * operating system), failed, or abandoned by the client; at once if that already happened.
 */
export function whenClosed(response: ClosingResponse, then: () => void): void {
  if (response.closed) then();
  else response.once('close', then);
}
