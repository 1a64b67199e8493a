import type { IncomingHttpHeaders } from 'node:http';
import { DpopNonces, htuOf, type DpopKey } from '@bff/dpop';

/** The call a proof is made for: the upstream origin, the path and query sent there, and the method. */
export interface UpstreamCall {
  origin: string;
  target: string;
  method: string;
}

// Segments of characters a WHATWG URL keeps as they are in a path ('%' aside: htuOf normalises
// its escapes), and no `.` or `..` segment, which it would resolve.
const PLAIN_PATH = /^(?:\/[A-Za-z0-9\-._~!$&'()*+,;=:@]+)*\/?$/;
const DOT_SEGMENT = /\/\.\.?(?:\/|$)/;

/**
 * The path of `target` (path and query as sent upstream) when parsing it as a URL would give it
 * back unchanged; undefined when it needs a URL parser (escapes, dot segments, other characters).
 * Lets a proxied call skip a `new URL` per request for the paths nearly every call has.
 */
export function plainPathOf(target: string): string | undefined {
  const cut = target.search(/[?#]/);
  const path = cut === -1 ? target : target.slice(0, cut);
  return PLAIN_PATH.test(path) && !DOT_SEGMENT.test(path) ? path || '/' : undefined;
}

/**
 * DPoP proofs for proxied calls (RFC 9449 §7.1) and the nonces upstreams ask them to carry
 * (§9): one fresh proof per call, for its method, its URL without query, the token, and the
 * last `DPoP-Nonce` that upstream origin sent.
 */
export class UpstreamProofs {
  private readonly nonces = new DpopNonces();

  /**
   * A proof of `key` for this call with `accessToken`; none without a key (the token goes as
   * Bearer). The claims are built here, on the event loop; the signature is made on libuv's
   * thread pool, so the event loop serves other requests while it is computed. bench:proxy's
   * DPoP row: 0.73× the same route without DPoP, against 0.50–0.63× signing on the event loop
   * (the ES256 signature is most of a proof's cost; see docs/performance.md).
   */
  proofFor(key: DpopKey | undefined, accessToken: string | undefined, call: UpstreamCall): Promise<string> | undefined {
    if (key === undefined || accessToken === undefined) return undefined;
    const path = plainPathOf(call.target);
    return key.proofAsync({
      htm: call.method,
      // `origin` is a serialised URL origin (lower case, no default port): with a plain path it is the htu.
      htu: path === undefined ? htuOf(`${call.origin}${call.target}`) : `${call.origin}${path}`,
      accessToken,
      nonce: this.nonces.get(call.origin),
    });
  }

  /** Keeps the `DPoP-Nonce` of an upstream answer, whatever its status, for the next proof sent there. */
  remember(origin: string, headers: IncomingHttpHeaders): void {
    const nonce = headers['dpop-nonce'];
    if (typeof nonce === 'string') this.nonces.remember(origin, nonce);
  }
}
