import type { IncomingHttpHeaders } from 'node:http';
import { DpopNonces, htuOf, type DpopKey } from '@bff/dpop';

/** The call a proof is made for: the upstream origin, the path and query sent there, and the method. */
export interface UpstreamCall {
  origin: string;
  target: string;
  method: string;
}

/**
 * DPoP proofs for proxied calls (RFC 9449 §7.1) and the nonces upstreams ask them to carry
 * (§9): one fresh proof per call, for its method, its URL without query, the token, and the
 * last `DPoP-Nonce` that upstream origin sent.
 */
export class UpstreamProofs {
  private readonly nonces = new DpopNonces();

  /** A proof of `key` for this call with `accessToken`; none without a key (the token goes as Bearer). */
  proofFor(key: DpopKey | undefined, accessToken: string | undefined, call: UpstreamCall): string | undefined {
    if (key === undefined || accessToken === undefined) return undefined;
    return key.proof({
      htm: call.method,
      htu: htuOf(`${call.origin}${call.target}`),
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
