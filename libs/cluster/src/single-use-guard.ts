/** Injection token of the {@link SingleUseGuard}. */
export const SINGLE_USE_GUARD = Symbol('SINGLE_USE_GUARD');

/**
 * Remembers values that may be used once across every instance, such as a
 * logout token's `jti`. It lives in the cluster lib because it is state the
 * instances share and nothing about it is specific to sessions or to OIDC.
 * Every implementation passes the same contract suite
 * (test/integration/single-use-guard.contract.spec.ts); a backing service that
 * cannot be reached throws `SessionStoreUnavailableError`.
 */
export interface SingleUseGuard {
  /**
   * True for the first claim of `key` within `ttlMs`, false for every later one
   * until that claim expires; concurrent claims get exactly one true.
   */
  claim(key: string, ttlMs: number): Promise<boolean>;
}
