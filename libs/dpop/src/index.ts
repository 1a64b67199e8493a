export { DpopKey, type DpopProofInput } from './dpop-key';
export {
  accessTokenHash,
  jwkThumbprint,
  type DpopAlgorithm,
  type DpopPrivateJwk,
  type DpopPublicJwk,
  type RsaPublicJwk,
} from './dpop-jwk';
export { htuMatches, htuOf } from './dpop-htu';
export { DpopNonces, isDpopNonce, MAX_DPOP_NONCE_LENGTH } from './dpop-nonces';
export { MAX_CHALLENGE_HEADER_LENGTH, parseDpopChallenge, type DpopChallenge } from './dpop-challenge';
export { MemoryDpopReplayCache, type DpopReplayCache } from './dpop-replay.cache';
export {
  DPOP_VERIFY_ALGORITHMS,
  verifyDpopProof,
  type DpopProofCheck,
  type DpopVerifyAlgorithm,
  type VerifiedDpopProof,
} from './dpop-proof.verifier';
export { DpopKeyError, DpopProofError, dpopErrorCode, type DpopErrorCode, type DpopProofFailure } from './dpop.errors';
