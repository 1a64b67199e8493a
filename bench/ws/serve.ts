/**
 * Child side: start, say "ready" (with the open-file limit actually in force), answer the
 * launcher's requests, close cleanly on "stop", and exit if the launcher goes away.
 */
import { readFileSync } from 'node:fs';
import type { ChildMessage, Envelope, Request, Role, RoleArgs } from './protocol';

export type Handlers = Partial<{ [K in Request['type']]: (request: Extract<Request, { type: K }>) => unknown }>;

export interface Running {
  url: string;
  close(): Promise<void>;
  handlers?: Handlers;
}

function send(message: ChildMessage): void {
  process.send?.(message);
}

/** The soft RLIMIT_NOFILE of this process, from /proc (Node has no API for it). */
export function maxOpenFiles(): number {
  const line = readFileSync('/proc/self/limits', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('Max open files'));
  const soft = line?.slice('Max open files'.length).trim().split(/\s+/)[0];
  return soft === undefined || soft === 'unlimited' ? Number.POSITIVE_INFINITY : Number(soft);
}

/** The role's JSON arguments, passed by the launcher as the last argv entry. */
export function roleArgs<R extends Role>(_role: R): RoleArgs[R] {
  return JSON.parse(process.argv[process.argv.length - 1] ?? '{}') as RoleArgs[R];
}

function answer(running: Running, id: number, request: Request): void {
  const reply = (value: unknown): void => {
    send({ type: 'reply', id, ok: true, value });
  };
  const fail = (error: unknown): void => {
    send({ type: 'reply', id, ok: false, message: error instanceof Error ? error.message : String(error) });
  };
  if (request.type === 'stop') {
    // A normal exit (not a signal) so that --cpu-prof writes its profile.
    running.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
    return;
  }
  const handler = running.handlers?.[request.type] as ((r: Request) => unknown) | undefined;
  if (!handler) {
    fail(new Error(`no handler for ${request.type}`));
    return;
  }
  Promise.resolve()
    .then(() => handler(request))
    .then(reply, fail);
}

export function serve(start: () => Promise<Running>): void {
  if (!process.send) {
    console.error('run by bench:ws through child_process, not directly');
    process.exit(1);
  }
  // A launcher that dies without saying "stop" must not leave children (and their sockets) behind.
  process.on('disconnect', () => process.exit(1));
  start().then(
    (running) => {
      process.on('message', ({ id, request }: Envelope) => {
        answer(running, id, request);
      });
      send({ type: 'ready', url: running.url, maxOpenFiles: maxOpenFiles(), pid: process.pid });
    },
    (error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      send({ type: 'failed', message });
      console.error(message);
      process.exit(1);
    },
  );
}
