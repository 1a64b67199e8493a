/** Injection token of the {@link LoginTransactionStore}. */
export const LOGIN_TRANSACTION_STORE = Symbol('LOGIN_TRANSACTION_STORE');

/**
 * Where pending logins wait between the redirect to the provider and its
 * callback: sealed values keyed by the `state` sent to the provider. It lives in
 * libs/auth, next to {@link LoginTransactions}, its only user: a login
 * transaction (nonce, PKCE verifier, return path) belongs to the OpenID Connect
 * login, exists before any session does, and so has no place in libs/session.
 * Every implementation passes the same contract suite
 * (test/integration/login-transaction-store.contract.spec.ts); a backing service
 * that cannot be reached throws `SessionStoreUnavailableError`.
 */
export interface LoginTransactionStore {
  /** Keeps a pending login for at most `ttlMs`. */
  put(state: string, sealed: string, ttlMs: number): Promise<void>;
  /** Returns and removes a pending login atomically: a state is usable once, even by concurrent callbacks. */
  take(state: string): Promise<string | null>;
}
