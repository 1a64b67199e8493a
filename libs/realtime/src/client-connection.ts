import type { SessionTicket } from '@bff/session';
import type { WebSocket } from 'ws';
import { CloseCode } from './frames';

/** Per-socket limits, from RealtimeConfig. */
export interface ConnectionLimits {
  maxMessagesPerSecond: number;
  maxBufferedBytes: number;
}

/**
 * One open socket and what the BFF knows about it: whose session it belongs to,
 * whether it answered the last ping, and its message budget (a token bucket
 * allowing bursts of twice the sustained rate).
 */
export class ClientConnection {
  alive = true;
  private tokens: number;
  private refilledAt = Date.now();

  constructor(
    readonly socket: WebSocket,
    readonly ticket: SessionTicket,
    readonly sub: string,
    private readonly limits: ConnectionLimits,
  ) {
    this.tokens = limits.maxMessagesPerSecond * 2;
  }

  get sessionId(): string {
    return this.ticket.id;
  }

  /** Takes one message from the budget; false when the client is flooding. */
  allowMessage(now = Date.now()): boolean {
    const burst = this.limits.maxMessagesPerSecond * 2;
    this.tokens = Math.min(burst, this.tokens + ((now - this.refilledAt) / 1000) * this.limits.maxMessagesPerSecond);
    this.refilledAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /**
   * Sends a frame unless the socket's queue is already over its bound: a slow
   * consumer is dropped (1013) rather than allowed to grow the BFF's memory.
   */
  send(text: string): void {
    if (this.socket.readyState !== this.socket.OPEN) return;
    if (this.socket.bufferedAmount + Buffer.byteLength(text) > this.limits.maxBufferedBytes) {
      this.close(CloseCode.TryAgainLater, 'slow consumer');
      return;
    }
    this.socket.send(text);
  }

  /** Closes politely, and for good after a second if the peer never completes the handshake. */
  close(code: number, reason: string): void {
    if (this.socket.readyState === this.socket.CLOSED) return;
    this.socket.close(code, reason);
    setTimeout(() => {
      this.socket.terminate();
    }, 1000).unref();
  }
}
