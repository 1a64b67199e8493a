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

/**
 * What the sessions list shows of a session, kept beside it for the server to read without the
 * session's cookie: `sealed` under the server key alone (start time, user agent, IdP `sid`), and
 * `lastSeenAt` (epoch ms) written with each idle slide. It lives and dies with its session.
 */
export interface SessionListingInfo {
  sealed: string;
  lastSeenAt: number;
}

/** A live session of a user, as {@link SessionStore.listBySub} finds it. */
export interface ListedSession {
  id: string;
  ttlMs: number;
  /** Absent for a session created before listings were kept. */
  info?: SessionListingInfo;
}

/** Injection token of the {@link SessionStore}. */
export const SESSION_STORE = Symbol('SESSION_STORE');

/**
 * Where sealed sessions live (oauth2-proxy's SessionStore contract), and only
 * sessions: pending logins and single-use claims have their own seams. Values
 * are opaque ciphertext; only the indexes hold plain ids. Every implementation
 * passes the same contract suite (test/integration/session-store.contract.spec.ts).
 * Failures to reach the backing service throw `SessionStoreUnavailableError`.
 */
export interface SessionStore {
  /**
   * Stores a new session with a TTL (and its listing info, with the same TTL) and adds its id to
   * the `sub`/`sid` indexes, which live at least `indexTtlMs`.
   */
  create(
    id: string,
    sealed: string,
    ttlMs: number,
    index: SessionIndexKeys,
    indexTtlMs: number,
    info?: SessionListingInfo,
  ): Promise<void>;
  /** The sealed session and its remaining TTL; null when it is unknown or expired. */
  read(id: string): Promise<StoredSession | null>;
  /** Overwrites a live session keeping its TTL; false (and nothing written) when it is gone, so a logout is never undone. */
  replace(id: string, sealed: string): Promise<boolean>;
  /**
   * Sets a live session's TTL (sliding expiry), and its listing info's, recording `lastSeenAt`
   * in the same write; false when it is gone.
   */
  touch(id: string, ttlMs: number, lastSeenAt?: number): Promise<boolean>;
  /** Removes a session and its listing info (and its index entries when given); true when it existed. */
  delete(id: string, index?: SessionIndexKeys): Promise<boolean>;
  /** Ids of the live sessions opened under an OpenID Provider session (`sid`), for back-channel logout. */
  idsBySid(sid: string): Promise<string[]>;
  /**
   * The ids a user's (`sub`) index holds, read as they are: expired sessions' ids included, none
   * pruned (what {@link listBySub} does on the way). Lets the store contract tests check how the
   * index is kept; the BFF itself lists a user's sessions with listBySub.
   */
  idsBySub(sub: string): Promise<string[]>;
  /**
   * The live sessions of a user with their listing info and remaining TTL; ids in the `sub`
   * index whose session is gone (expired) are dropped from the index on the way.
   */
  listBySub(sub: string): Promise<ListedSession[]>;
  /** A round trip to the backing service (the readiness check). */
  ping(): Promise<void>;
  /** Releases what the store itself holds (a shared connection is closed by its owner). */
  close(): Promise<void>;
}
