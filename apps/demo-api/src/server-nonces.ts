import { randomBytes } from 'node:crypto';

/**
 * The demo API's own `DPoP-Nonce` values (RFC 9449 §9): a fresh one every `rotationMs`; a
 * proof may carry the current or the previous one, so a client that just got a nonce is not
 * refused because it rotated in between.
 */
export class ServerNonces {
  #current = newNonce();
  #previous: string | undefined;
  readonly #timer: NodeJS.Timeout;

  constructor(rotationMs: number) {
    this.#timer = setInterval(() => {
      this.rotate();
    }, rotationMs);
    this.#timer.unref();
  }

  /** The nonce to send in `DPoP-Nonce`. */
  get current(): string {
    return this.#current;
  }

  /** The nonces a proof may carry: the current one, then the previous one. */
  accepted(): string[] {
    return this.#previous === undefined ? [this.#current] : [this.#current, this.#previous];
  }

  /** Issues a new nonce; the one before the current stops being accepted. */
  rotate(): void {
    this.#previous = this.#current;
    this.#current = newNonce();
  }

  close(): void {
    clearInterval(this.#timer);
  }
}

/** 128 random bits, base64url: within RFC 9449's NQCHAR. */
function newNonce(): string {
  return randomBytes(16).toString('base64url');
}
