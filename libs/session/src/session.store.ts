/** A sealed session as read from the store, with the time it has left. */
export interface StoredSession {
  sealed: string;
  ttlMs: number;
}

/** Plain values the logout fan-out indexes are keyed by (ids only, never tokens). */
export interface SessionIndexKeys {
  sub: string;
  sid?: string;
}

/** Injection token of the {@link SessionStore}. */
export const SESSION_STORE = Symbol('SESSION_STORE');

/**
 * Where sealed sessions live (oauth2-proxy's SessionStore contract). Values are
 * opaque ciphertext; only the indexes hold plain ids. Every implementation
 * passes the same contract suite (test/integration/session-store.contract.spec.ts).
 * Failures to reach the backing service throw `SessionStoreUnavailableError`.
 */
export interface SessionStore {
  /** Stores a new session with a TTL and adds its id to the `sub`/`sid` indexes, which live at least `indexTtlMs`. */
  create(id: string, sealed: string, ttlMs: number, index: SessionIndexKeys, indexTtlMs: number): Promise<void>;
  read(id: string): Promise<StoredSession | null>;
  /** Overwrites a live session keeping its TTL; false (and nothing written) when it is gone, so a logout is never undone. */
  replace(id: string, sealed: string): Promise<boolean>;
  /** Sets a live session's TTL (sliding expiry); false when it is gone. */
  touch(id: string, ttlMs: number): Promise<boolean>;
  /** Removes a session (and its index entries when given); true when it existed. */
  delete(id: string, index?: SessionIndexKeys): Promise<boolean>;
  idsBySid(sid: string): Promise<string[]>;
  idsBySub(sub: string): Promise<string[]>;
  /** Keeps a pending login for at most `ttlMs`. */
  putLoginTransaction(state: string, sealed: string, ttlMs: number): Promise<void>;
  /** Returns and removes a pending login atomically: a state is usable once. */
  takeLoginTransaction(state: string): Promise<string | null>;
  /** True the first time a key is claimed within `ttlMs` (single-use values such as a logout token's jti). */
  claimOnce(key: string, ttlMs: number): Promise<boolean>;
  /** A round trip to the backing service. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
