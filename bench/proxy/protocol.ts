/**
 * The messages between the benchmark (parent) and its server processes (children).
 * Every server runs in its own process so that autocannon, in the parent, never
 * shares an event loop with what it measures.
 */
import type { DevIdpStats } from '@bff/dev-idp';

export type Role = 'upstream' | 'bare' | 'idp' | 'bff';

/** Per-role arguments, JSON in argv[2] (the BFF takes its environment instead, as main.ts does). */
export interface RoleArgs {
  upstream: Record<string, never>;
  bare: { upstream: string };
  idp: { clientId: string; clientSecret: string; bffUrls: string[]; accessTokenTtlSeconds: number };
  bff: Record<string, never>;
}

export type ParentMessage = { type: 'stats' } | { type: 'cpu' } | { type: 'stop' };

/** process.cpuUsage() of a child: user and system CPU time in µs since it started. */
export interface CpuUsage {
  user: number;
  system: number;
}

export type ChildMessage =
  | { type: 'ready'; url: string }
  | { type: 'stats'; stats: DevIdpStats }
  | { type: 'cpu'; usage: CpuUsage }
  | { type: 'failed'; message: string };

/** The upstream's answer: exactly 1 KiB of JSON, so every target moves the same bytes. */
export const JSON_1K = JSON.stringify({ data: 'x'.repeat(1024 - '{"data":""}'.length) });
export const JSON_1K_PATH = '/json-1k';
/** The BFF route name, and so the `/api/<name>` prefix every proxy target serves. */
export const ROUTE = 'bench';
