import type { ListedSession, SessionIndexKeys, SessionListingInfo, SessionStore, StoredSession } from './session.store';

interface Entry<T> {
  value: T;
  expiresAt: number;
  info?: SessionListingInfo;
}

/**
 * The embedded store for a single development instance, and the reference
 * implementation of the contract. Sessions vanish on restart and are invisible
 * to other instances.
 */
export class MemorySessionStore implements SessionStore {
  private readonly sessions = new Map<string, Entry<string>>();
  private readonly indexes = new Map<string, Entry<Set<string>>>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly now: () => number = Date.now) {
    // Expired entries are also dropped on read; the sweep bounds memory for ones never read again.
    this.sweeper = setInterval(() => {
      this.sweep();
    }, 60_000);
    this.sweeper.unref();
  }

  create(
    id: string,
    sealed: string,
    ttlMs: number,
    index: SessionIndexKeys,
    indexTtlMs: number,
    info?: SessionListingInfo,
  ): Promise<void> {
    this.sessions.set(id, { value: sealed, expiresAt: this.now() + ttlMs, ...(info ? { info: { ...info } } : {}) });
    this.addToIndex(`sub:${index.sub}`, id, indexTtlMs);
    if (index.sid !== undefined) this.addToIndex(`sid:${index.sid}`, id, indexTtlMs);
    return Promise.resolve();
  }

  read(id: string): Promise<StoredSession | null> {
    const entry = this.live(this.sessions, id);
    return Promise.resolve(entry ? { sealed: entry.value, ttlMs: entry.expiresAt - this.now() } : null);
  }

  replace(id: string, sealed: string): Promise<boolean> {
    const entry = this.live(this.sessions, id);
    if (entry) entry.value = sealed;
    return Promise.resolve(entry !== undefined);
  }

  touch(id: string, ttlMs: number, lastSeenAt?: number): Promise<boolean> {
    const entry = this.live(this.sessions, id);
    if (entry) entry.expiresAt = this.now() + ttlMs;
    if (entry?.info && lastSeenAt !== undefined) entry.info.lastSeenAt = lastSeenAt;
    return Promise.resolve(entry !== undefined);
  }

  delete(id: string, index?: SessionIndexKeys): Promise<boolean> {
    const existed = this.live(this.sessions, id) !== undefined;
    this.sessions.delete(id);
    if (index) {
      this.live(this.indexes, `sub:${index.sub}`)?.value.delete(id);
      if (index.sid !== undefined) this.live(this.indexes, `sid:${index.sid}`)?.value.delete(id);
    }
    return Promise.resolve(existed);
  }

  idsBySid(sid: string): Promise<string[]> {
    return Promise.resolve([...(this.live(this.indexes, `sid:${sid}`)?.value ?? [])]);
  }

  idsBySub(sub: string): Promise<string[]> {
    return Promise.resolve([...(this.live(this.indexes, `sub:${sub}`)?.value ?? [])]);
  }

  listBySub(sub: string): Promise<ListedSession[]> {
    const index = this.live(this.indexes, `sub:${sub}`);
    const listed: ListedSession[] = [];
    for (const id of index?.value ?? []) {
      const entry = this.live(this.sessions, id);
      if (!entry) {
        index?.value.delete(id);
        continue;
      }
      listed.push({
        id,
        ttlMs: entry.expiresAt - this.now(),
        ...(entry.info ? { info: { ...entry.info } } : {}),
      });
    }
    return Promise.resolve(listed);
  }

  ping(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    clearInterval(this.sweeper);
    return Promise.resolve();
  }

  private addToIndex(key: string, id: string, ttlMs: number): void {
    const expiresAt = this.now() + ttlMs;
    const entry = this.live(this.indexes, key);
    if (entry) {
      entry.value.add(id);
      entry.expiresAt = Math.max(entry.expiresAt, expiresAt);
    } else {
      this.indexes.set(key, { value: new Set([id]), expiresAt });
    }
  }

  private live<T>(map: Map<string, Entry<T>>, key: string): Entry<T> | undefined {
    const entry = map.get(key);
    if (entry && entry.expiresAt <= this.now()) {
      map.delete(key);
      return undefined;
    }
    return entry;
  }

  private sweep(): void {
    const now = this.now();
    for (const map of [this.sessions, this.indexes] as Map<string, Entry<unknown>>[]) {
      for (const [key, entry] of map) if (entry.expiresAt <= now) map.delete(key);
    }
  }
}
