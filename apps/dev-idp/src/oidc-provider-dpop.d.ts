/**
 * Types of the one internal module of oidc-provider 9 the dev IdP uses: the DPoP proof checks its
 * own grants run (`lib/helpers/validate_dpop.js`), which custom grants cannot reach otherwise.
 */
declare module 'oidc-provider/lib/helpers/validate_dpop.js' {
  import type Provider from 'oidc-provider';
  import type { KoaContextWithOIDC } from 'oidc-provider';

  /** A proof that passed every check: its key's RFC 7638 thumbprint, its `jti` and `iat`. */
  export interface ValidatedDpopProof {
    thumbprint: string;
    jti: string;
    iat: number;
  }

  /**
   * Checks the request's `DPoP` header (signature, `typ`, `alg`, `htm`, `htu`, `iat`, the
   * provider's nonce); undefined without a header or with DPoP turned off. Throws
   * `InvalidDpopProof` or `UseDpopNonce` (with a `DPoP-Nonce` header set on `ctx`).
   */
  export default function validateDpop(
    provider: Provider,
    ctx: KoaContextWithOIDC,
    accessToken?: string,
  ): Promise<ValidatedDpopProof | undefined>;

  /** Records the proof's `jti` for the client; throws `ErrorClass` when it was seen before. */
  export function checkDpopReplay(
    provider: Provider,
    ctx: KoaContextWithOIDC,
    proof: ValidatedDpopProof | undefined,
    clientId: string,
    ErrorClass?: new (description: string) => Error,
  ): Promise<void>;
}
