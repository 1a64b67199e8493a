/**
 * The messages between `bench:ws` (the launcher) and its children: the dev IdP, the BFF
 * instances and the load-generating clients. Every one runs in its own process so that
 * the sockets, the BFFs and the measurement never share an event loop.
 */

/** Per-role arguments, JSON in argv[2] (a BFF takes its environment instead, as main.ts does). */
export interface RoleArgs {
  idp: { clientId: string; clientSecret: string; bffUrls: string[]; accessTokenTtlSeconds: number };
  bff: Record<string, never>;
  client: { index: number };
}
export type Role = keyof RoleArgs;

/** A frame the clients recognise: `{"type":"bench","data":{"t":µs,"b":id?}}`, `t` on the shared monotonic clock. */
export const BENCH_FRAME_TYPE = 'bench';

/** A request to a child, answered by exactly one reply. */
export type Request =
  | { type: 'memory' }
  | { type: 'cpu' }
  | { type: 'loop-delay' }
  | { type: 'heap-snapshot'; dir: string }
  | { type: 'stop' }
  | OpenRequest
  | { type: 'close-sockets'; group: string }
  | { type: 'subscribe-baseline'; redisUrl: string; channel: string }
  | { type: 'collect' }
  | { type: 'broadcast-status'; broadcast: number };

/** How a request travels: the id pairs it with its reply. */
export interface Envelope {
  id: number;
  request: Request;
}

export interface OpenRequest {
  type: 'open';
  /** A name for this batch of sockets, so that a later request can close it. */
  group: string;
  /** ws://127.0.0.1:<port>/ws */
  url: string;
  origin: string;
  /** Cookie headers; socket i uses cookies[i % length] (many tabs per session). */
  cookies: string[];
  count: number;
  /** Upgrades in flight at once (a browser fleet does not arrive in one SYN burst either). */
  concurrency: number;
  timeoutMs: number;
}

/** What a child says about itself once started. */
export interface Ready {
  type: 'ready';
  url: string;
  /** Soft RLIMIT_NOFILE the child runs with (after the launcher's shell raised it). */
  maxOpenFiles: number;
  pid: number;
}

export interface MemoryReply {
  rssBytes: number;
  heapUsedBytes: number;
  externalBytes: number;
  arrayBuffersBytes: number;
  /** Local sockets the BFF's registry holds (bff_websocket_connections). */
  registered: number;
}

export interface OpenReply {
  opened: number;
  failed: number;
  /** Failure reasons and their counts (first few only). */
  errors: Record<string, number>;
  ms: number;
}

/** What one client process recorded since the previous collect. */
export interface CollectReply {
  /** One-way latencies (µs) of user-channel bench frames, one per socket and frame. */
  fanoutUs: number[];
  /** The same for the baseline's plain Redis subscriber. */
  baselineUs: number[];
  /** Frames received by sockets that should not have received them (another user's), since the start. */
  misdelivered: number;
  /** Sockets that closed without being asked to, by close code, since the start. */
  unexpectedCloses: Record<string, number>;
  sockets: number;
}

export interface BroadcastStatus {
  received: number;
  /** Monotonic µs of the first and the last receipt in this process. */
  firstUs: number;
  lastUs: number;
}

export type Reply =
  { type: 'reply'; id: number; ok: true; value: unknown } | { type: 'reply'; id: number; ok: false; message: string };

export type ChildMessage = Ready | { type: 'failed'; message: string } | Reply;

/** Microseconds on CLOCK_MONOTONIC, which every process of the machine shares. */
export function monotonicUs(): number {
  return Number(process.hrtime.bigint() / 1000n);
}
