import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DpopProofError, MemoryDpopReplayCache, verifyDpopProof, type VerifiedDpopProof } from '@bff/dpop';

/** One request as the upstream saw it, and what it answered. */
export interface DpopSighting {
  method: string;
  path: string;
  /** `DPoP`, `Bearer`, … as sent; undefined without an Authorization header. */
  scheme?: string;
  token?: string;
  /** The proof, when it passed every check (signature, htm, htu, ath, nonce, jti once). */
  proof?: VerifiedDpopProof;
  /** The nonce the proof carried, read before the checks (also for a refused proof). */
  proofNonce?: string;
  bodyBytes: number;
  status: number;
}

/**
 * A resource server that takes DPoP-bound tokens the way RFC 9449 §7 and §9 describe, for tests of
 * the BFF's answers to an upstream's DPoP challenges. Every proof must carry the current nonce
 * (`401 DPoP error="use_dpop_nonce"` with a `DPoP-Nonce` otherwise); every answer carries that
 * nonce. Paths select the rest: `/always-nonce` refuses every proof with a new nonce,
 * `/invalid-token` always answers `401 DPoP error="invalid_token"`, `/invalid-token-once/<key>`
 * does so the first time it sees `<key>`; anything else answers 200 with the sighting.
 */
export class DpopUpstream {
  readonly seen: DpopSighting[] = [];
  private nonce = DpopUpstream.newNonce();
  private readonly replayCache = new MemoryDpopReplayCache();
  private readonly refusedOnce = new Set<string>();
  private readonly server: Server = createServer((request, response) => {
    let bodyBytes = 0;
    request.on('data', (chunk: Buffer) => (bodyBytes += chunk.length));
    request.on('end', () => {
      this.answer(request, response, bodyBytes).catch((error: unknown) => {
        response.writeHead(500).end(String(error));
      });
    });
  });

  static async start(): Promise<DpopUpstream> {
    const upstream = new DpopUpstream();
    await new Promise<void>((resolve) => upstream.server.listen(0, '127.0.0.1', resolve));
    return upstream;
  }

  private static newNonce(): string {
    return randomBytes(16).toString('base64url');
  }

  get url(): string {
    return `http://127.0.0.1:${String((this.server.address() as AddressInfo).port)}`;
  }

  /** The nonce proofs must carry now. */
  currentNonce(): string {
    return this.nonce;
  }

  /** A new nonce at once: the one a client remembered is refused from now on. */
  rotateNonce(): string {
    this.nonce = DpopUpstream.newNonce();
    return this.nonce;
  }

  /** The requests seen for one path, in order. */
  hits(path: string): DpopSighting[] {
    return this.seen.filter((sighting) => sighting.path === path);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async answer(request: IncomingMessage, response: ServerResponse, bodyBytes: number): Promise<void> {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    const [scheme, token] = (request.headers.authorization ?? '').split(' ', 2);
    const proofHeader = request.headers.dpop;
    const sighting: DpopSighting = {
      method: request.method ?? '',
      path,
      ...(scheme ? { scheme, token } : {}),
      proofNonce: typeof proofHeader === 'string' ? nonceClaimOf(proofHeader) : undefined,
      bodyBytes,
      status: 200,
    };
    this.seen.push(sighting);
    const send = (status: number, challenge?: string): void => {
      sighting.status = status;
      response.writeHead(status, {
        'content-type': 'application/json',
        'dpop-nonce': this.nonce,
        ...(challenge === undefined ? {} : { 'www-authenticate': `DPoP ${challenge}, algs="ES256 EdDSA"` }),
      });
      response.end(JSON.stringify(status === 200 ? sighting : { error: challenge }));
    };
    if (path === '/always-nonce') this.rotateNonce();
    if (scheme !== 'DPoP' || token === undefined || typeof proofHeader !== 'string') {
      send(401, 'error="invalid_token"');
      return;
    }
    try {
      sighting.proof = await verifyDpopProof({
        proof: proofHeader,
        htm: sighting.method,
        htu: `${this.url}${path}`,
        accessToken: token,
        nonce: this.nonce,
        replayCache: this.replayCache,
      });
    } catch (error) {
      if (!(error instanceof DpopProofError)) throw error;
      send(401, `error="${error.code}"`);
      return;
    }
    const refuses =
      path === '/invalid-token' || (path.startsWith('/invalid-token-once/') && !this.refusedOnce.has(path));
    this.refusedOnce.add(path);
    send(refuses ? 401 : 200, refuses ? 'error="invalid_token"' : undefined);
  }
}

/** The `nonce` claim of a proof, without verifying it (to see what a refused proof carried). */
function nonceClaimOf(proof: string): string | undefined {
  try {
    const claims = JSON.parse(Buffer.from(proof.split('.')[1] ?? '', 'base64url').toString('utf8')) as {
      nonce?: unknown;
    };
    return typeof claims.nonce === 'string' ? claims.nonce : undefined;
  } catch {
    return undefined;
  }
}
