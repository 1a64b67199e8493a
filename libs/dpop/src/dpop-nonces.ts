/** The longest server nonce kept (RFC 9449 leaves it open; real ones are far shorter). */
export const MAX_DPOP_NONCE_LENGTH = 512;

// RFC 9449 §8.1: nonce = 1*NQCHAR, NQCHAR = %x21 / %x23-5B / %x5D-7E (no space, '"' or '\').
const NONCE = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

/** Whether `value` is a syntactically valid `DPoP-Nonce` (RFC 9449 §8.1) of at most 512 characters. */
export function isDpopNonce(value: unknown): value is string {
  return typeof value === 'string' && value.length <= MAX_DPOP_NONCE_LENGTH && NONCE.test(value);
}

/**
 * The last `DPoP-Nonce` each server gave (RFC 9449 §8, §9), by origin (`URL.origin`), for the
 * next proof sent there. Bounded: past `maxOrigins` the origin used least recently is dropped
 * (it then answers `use_dpop_nonce` once more and is remembered again).
 */
export class DpopNonces {
  readonly #byOrigin = new Map<string, string>();

  constructor(private readonly maxOrigins = 1000) {}

  /** The nonce to put in the next proof for `origin`, if the server gave one. */
  get(origin: string): string | undefined {
    const nonce = this.#byOrigin.get(origin);
    if (nonce !== undefined) {
      // Re-inserting moves the origin to the most recently used end of the map.
      this.#byOrigin.delete(origin);
      this.#byOrigin.set(origin, nonce);
    }
    return nonce;
  }

  /**
   * Keeps `value` (a `DPoP-Nonce` response header) as the nonce of `origin`. Anything but one
   * valid nonce (absent, empty, too long, several joined by a comma, bad characters) is ignored.
   *
   * @returns whether the nonce was kept.
   */
  remember(origin: string, value: string | null | undefined): boolean {
    if (!isDpopNonce(value)) return false;
    this.#byOrigin.delete(origin);
    this.#byOrigin.set(origin, value);
    if (this.#byOrigin.size > this.maxOrigins) {
      const oldest = this.#byOrigin.keys().next();
      if (oldest.done !== true) this.#byOrigin.delete(oldest.value);
    }
    return true;
  }

  /** How many origins have a nonce. */
  get size(): number {
    return this.#byOrigin.size;
  }
}
