import { MemoryDpopReplayCache } from './dpop-replay.cache';

describe('MemoryDpopReplayCache', () => {
  it('accepts a jti once until it expires, then again', () => {
    const cache = new MemoryDpopReplayCache();
    expect(cache.markUsed('j1', { now: 1000, expiresAt: 1065 })).toBe(true);
    expect(cache.markUsed('j1', { now: 1001, expiresAt: 1066 })).toBe(false);
    expect(cache.markUsed('j1', { now: 1064, expiresAt: 1129 })).toBe(false);
    expect(cache.markUsed('j2', { now: 1064, expiresAt: 1129 })).toBe(true);
    expect(cache.markUsed('j1', { now: 1065, expiresAt: 1130 })).toBe(true);
  });

  it('drops expired entries as new ones arrive', () => {
    const cache = new MemoryDpopReplayCache();
    for (let i = 0; i < 100; i++) cache.markUsed(`old-${String(i)}`, { now: 1000, expiresAt: 1060 });
    for (let i = 0; i < 100; i++) cache.markUsed(`new-${String(i)}`, { now: 2000, expiresAt: 2060 });
    expect(cache.size).toBe(100);
  });

  it('holds at most maxEntries, forgetting the oldest first', () => {
    const cache = new MemoryDpopReplayCache(10);
    for (let i = 0; i < 25; i++) cache.markUsed(`j${String(i)}`, { now: 1000, expiresAt: 1060 });
    expect(cache.size).toBe(10);
    expect(cache.markUsed('j24', { now: 1000, expiresAt: 1060 })).toBe(false);
    expect(cache.markUsed('j0', { now: 1000, expiresAt: 1060 })).toBe(true);
  });
});
