/**
 * The life of one benchmark server process (see child-protocol.ts): start, say "ready" with the URL,
 * answer stats requests, close cleanly on "stop", exit if the parent goes away.
 * One entry file per role (proxy/servers/*.ts, peer/servers/*.ts) so each process loads only what it serves.
 */
import type { DevIdpStats } from '@bff/dev-idp';
import type { ChildMessage, ParentMessage } from './child-protocol';

/** A started server: where it listens, how to stop it, and (the IdP only) its counters. */
export interface Running {
  url: string;
  close(): Promise<void>;
  stats?(): DevIdpStats;
  /** Counters of its own (the collector stub's spans); none by default. */
  counters?(): Record<string, number>;
}

function send(message: ChildMessage): void {
  process.send?.(message);
}

/** The server's JSON arguments, passed by the parent as argv[2] (see ServerProcess.start). */
export function childArgs(): unknown {
  return JSON.parse(process.argv[2] ?? '{}');
}

export function serve(start: () => Promise<Running>): void {
  if (!process.send) {
    console.error('run by the benchmark through child_process.fork, not directly');
    process.exit(1);
  }
  // A parent that dies without saying "stop" must not leave servers behind.
  process.on('disconnect', () => process.exit(1));
  start().then(
    (running) => {
      process.on('message', (message: ParentMessage) => {
        if (message.type === 'stats') {
          send({ type: 'stats', stats: running.stats?.() ?? { tokenRequests: 0, grants: {}, revocations: 0 } });
          return;
        }
        if (message.type === 'counters') {
          send({ type: 'counters', counters: running.counters?.() ?? {} });
          return;
        }
        if (message.type === 'cpu') {
          send({ type: 'cpu', usage: process.cpuUsage() });
          return;
        }
        // A normal exit (not a signal) so that --cpu-prof writes its profile.
        running.close().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      });
      send({ type: 'ready', url: running.url });
    },
    (error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      send({ type: 'failed', message });
      console.error(message);
      process.exit(1);
    },
  );
}
