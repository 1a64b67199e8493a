import type { FastifyRequest } from 'fastify';
import type { JWTPayload } from 'jose';
import { DPOP_VERIFY_ALGORITHMS, DpopProofError, MemoryDpopReplayCache, verifyDpopProof } from '@bff/dpop';
import type { DpopErrorCode, DpopProofFailure } from '@bff/dpop';
import { DpopRejectedError, InvalidTokenError } from './demo-api.errors';
import type { PresentedToken } from './presented-token';
import { ServerNonces } from './server-nonces';

/** How the demo API checks DPoP (RFC 9449) presentations. */
export interface DemoApiDpopOptions {
  /**
   * Demand a server nonce: a proof without the current (or previous) `DPoP-Nonce` is answered
   * 401 `use_dpop_nonce` with a fresh `DPoP-Nonce`, which every answer carries. Default false.
   */
  requireNonce?: boolean;
  /** How often the nonce changes, in ms (default 60000). */
  nonceRotationMs?: number;
  /** How old a proof may be, in seconds (default 60); each `jti` is accepted once in that time. */
  maxAgeSeconds?: number;
  /**
   * The origin this API is reached at (`https://api.example`), from which each proof's `htu`
   * is expected. Unset: `http://` and the request's `Host` header, as a client that called it
   * directly named it.
   */
  publicOrigin?: string;
}

/**
 * Why a DPoP presentation was refused: a failed check of the proof, or before it: no `DPoP`
 * header, several, a bound token sent as `Bearer`, or an unbound token sent as `DPoP`.
 */
export type DpopRejection = DpopProofFailure | 'no_proof' | 'several_proofs' | 'bearer_scheme' | 'unbound_token';

/** What the demo API saw of DPoP since it started, for tests and the demo. */
export interface DemoApiDpopStats {
  /** Proofs accepted. */
  accepted: number;
  /** Presentations refused, by reason. */
  rejected: Partial<Record<DpopRejection, number>>;
  /** Proofs whose `jti` had been seen before (also counted in `rejected.replay`). */
  replayedJti: number;
  /** `use_dpop_nonce` answers (also counted in `rejected.nonce`). */
  nonceChallenges: number;
}

/** The DPoP side of a running demo API, for tests. */
export interface DemoApiDpop {
  stats(): DemoApiDpopStats;
  /** The `DPoP-Nonce` currently sent, when nonces are required. */
  nonce(): string | undefined;
  /** Issues a new nonce at once (the current one stays accepted, the one before it no longer). */
  rotateNonce(): void;
}

/** The token type a route received, echoed to clients. */
export type TokenType = 'Bearer' | 'DPoP';

const ALGS = DPOP_VERIFY_ALGORITHMS.join(' ');
// RFC 3986 authority as a Host header carries it: a reg-name or IPv4, or an IPv6 literal, and a port.
const HOST = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?$/;

/** The `WWW-Authenticate` of a refused DPoP presentation (RFC 9449 §7.1). */
export function dpopChallenge(error: DpopErrorCode): string {
  return `DPoP error="${error}", algs="${ALGS}"`;
}

/**
 * Checks the DPoP side of a request whose access token has been verified: a token bound to a
 * key (`cnf.jkt`) needs `Authorization: DPoP` and a proof of that key; the `DPoP` scheme needs
 * a bound token. Counts what it accepted and refused.
 */
export class DpopPresentationVerifier implements DemoApiDpop {
  readonly #replayCache = new MemoryDpopReplayCache();
  readonly #nonces: ServerNonces | undefined;
  readonly #origin: string | undefined;
  readonly #maxAgeSeconds: number;
  #accepted = 0;
  readonly #rejected: Partial<Record<DpopRejection, number>> = {};

  constructor(o: DemoApiDpopOptions = {}) {
    this.#nonces = o.requireNonce ? new ServerNonces(o.nonceRotationMs ?? 60_000) : undefined;
    this.#origin = o.publicOrigin === undefined ? undefined : originOf(o.publicOrigin);
    this.#maxAgeSeconds = o.maxAgeSeconds ?? 60;
  }

  /**
   * The token type of an accepted presentation.
   *
   * @throws DpopRejectedError when the DPoP side fails.
   */
  async check(req: FastifyRequest, presented: PresentedToken, payload: JWTPayload): Promise<TokenType> {
    const jkt = boundKeyOf(payload, presented);
    if (presented.scheme === 'Bearer') {
      if (jkt === undefined) return 'Bearer';
      this.#reject('bearer_scheme', 'invalid_token', 'a DPoP-bound access token must be sent with Authorization: DPoP');
    }
    if (jkt === undefined) this.#reject('unbound_token', 'invalid_token', 'the access token is not DPoP-bound');
    const proofs = req.raw.headersDistinct.dpop ?? [];
    if (proofs.length === 0) this.#reject('no_proof', 'invalid_dpop_proof', 'a DPoP proof is required');
    if (proofs.length > 1) this.#reject('several_proofs', 'invalid_dpop_proof', 'send exactly one DPoP proof');
    try {
      await verifyDpopProof({
        proof: proofs[0] ?? '',
        htm: req.method,
        htu: this.#requestUri(req),
        accessToken: presented.token,
        expectedJkt: jkt,
        nonce: this.#nonces?.accepted(),
        replayCache: this.#replayCache,
        maxAgeSeconds: this.#maxAgeSeconds,
      });
    } catch (err) {
      if (err instanceof DpopProofError) this.#reject(err.reason, err.code, err.message);
      throw err;
    }
    this.#accepted++;
    return 'DPoP';
  }

  /** The `DPoP-Nonce` every answer carries, when nonces are required. */
  nonce(): string | undefined {
    return this.#nonces?.current;
  }

  rotateNonce(): void {
    this.#nonces?.rotate();
  }

  stats(): DemoApiDpopStats {
    return {
      accepted: this.#accepted,
      rejected: { ...this.#rejected },
      replayedJti: this.#rejected.replay ?? 0,
      nonceChallenges: this.#rejected.nonce ?? 0,
    };
  }

  close(): void {
    this.#nonces?.close();
  }

  /** This API's URI for the request as the client named it: the origin, then the path as sent. */
  #requestUri(req: FastifyRequest): string {
    const target = req.raw.url ?? '';
    const origin = this.#origin ?? originFromHost(req.headers.host);
    if (origin === undefined || !target.startsWith('/')) {
      this.#reject('htu', 'invalid_dpop_proof', 'the request names no URI a proof could be for');
    }
    return `${origin}${target}`;
  }

  #reject(reason: DpopRejection, code: DpopErrorCode, message: string): never {
    this.#rejected[reason] = (this.#rejected[reason] ?? 0) + 1;
    throw new DpopRejectedError(reason, code, message, dpopChallenge(code));
  }
}

/** The token's `cnf.jkt` (RFC 9449 §6.1), if it is bound to a key. */
function boundKeyOf(payload: JWTPayload, presented: PresentedToken): string | undefined {
  const cnf = payload.cnf;
  if (typeof cnf !== 'object' || cnf === null) return undefined;
  const jkt = (cnf as { jkt?: unknown }).jkt;
  // A token bound in another way (mTLS `x5t#S256`) cannot be checked here, so it is refused.
  if (typeof jkt !== 'string' || jkt === '') {
    throw new InvalidTokenError('the access token is bound to a key by other means than "cnf.jkt"', {
      ...(presented.scheme === 'DPoP' ? { challenge: dpopChallenge('invalid_token') } : {}),
    });
  }
  return jkt;
}

function originFromHost(host: string | undefined): string | undefined {
  if (host === undefined || !HOST.test(host)) return undefined;
  return URL.parse(`http://${host}`)?.origin;
}

function originOf(publicOrigin: string): string {
  const url = URL.parse(publicOrigin);
  if (
    url === null ||
    (url.protocol !== 'http:' && url.protocol !== 'https:') ||
    url.username !== '' ||
    url.password !== '' ||
    url.pathname !== '/' ||
    url.search !== '' ||
    url.hash !== ''
  ) {
    throw new TypeError(`the demo API's DPoP publicOrigin must be an http(s) origin, got "${publicOrigin}"`);
  }
  return url.origin;
}
