import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { errors } from 'oidc-provider';
// oidc-provider keeps its DPoP checks internal: the grants it ships call them, grants registered
// with registerGrantType cannot. Calling the same module keeps the checks exactly the built-in
// ones: the provider's nonces (FAPI mode requires one), its replay store, its errors.
import validateDpop, { checkDpopReplay, type ValidatedDpopProof } from 'oidc-provider/lib/helpers/validate_dpop.js';

/** A token a proof's key can be bound to (oidc-provider's AccessToken and ClientCredentials). */
interface BindableToken {
  setThumbprint(prop: 'jkt', thumbprint: string): void;
}

/**
 * The token request's DPoP proof, checked as oidc-provider's own client_credentials grant checks
 * it (RFC 9449 §5): undefined without one, unless the client's tokens must all be DPoP-bound
 * (`dpop_bound_access_tokens`), which refuses the request (`invalid_grant`, as the built-in
 * grants do). A bad proof is `invalid_dpop_proof`; one without the provider's nonce when it
 * requires one is `use_dpop_nonce`, with the nonce in the `DPoP-Nonce` header. Call it first, so
 * that a client learns the nonce before anything else is looked at.
 */
export async function requireDpopProofIfBound(
  provider: Provider,
  ctx: KoaContextWithOIDC,
): Promise<ValidatedDpopProof | undefined> {
  const proof = await validateDpop(provider, ctx);
  if (proof === undefined && ctx.oidc.client?.dpopBoundAccessTokens === true) {
    throw new errors.InvalidGrant('DPoP proof JWT not provided');
  }
  return proof;
}

/**
 * Binds `token` to the proof's key (`cnf.jkt`, and `token_type` DPoP in the answer) after making
 * sure the proof's `jti` was not used before by this client; nothing without a proof.
 */
export async function bindToDpopProof(
  provider: Provider,
  ctx: KoaContextWithOIDC,
  proof: ValidatedDpopProof | undefined,
  token: BindableToken,
): Promise<void> {
  if (proof === undefined) return;
  const clientId = ctx.oidc.client?.clientId ?? '';
  await checkDpopReplay(provider, ctx, proof, clientId, errors.InvalidGrant);
  token.setThumbprint('jkt', proof.thumbprint);
}
