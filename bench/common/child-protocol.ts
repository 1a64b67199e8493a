/**
 * The messages between a benchmark (parent) and its server processes (children). Every server
 * runs in its own process so that autocannon, in the parent, never shares an event loop with
 * what it measures. Used by bench:proxy and bench:peer (bench:ws has its own request/reply protocol).
 */
import type { DevIdpStats } from '@bff/dev-idp';

export type ParentMessage = { type: 'stats' } | { type: 'cpu' } | { type: 'counters' } | { type: 'stop' };

/** process.cpuUsage() of a child: user and system CPU time in µs since it started. */
export interface CpuUsage {
  user: number;
  system: number;
}

export type ChildMessage =
  | { type: 'ready'; url: string }
  | { type: 'stats'; stats: DevIdpStats }
  | { type: 'cpu'; usage: CpuUsage }
  /** A server's own counters by name (bench:proxy's collector stub: spans received). */
  | { type: 'counters'; counters: Record<string, number> }
  | { type: 'failed'; message: string };
