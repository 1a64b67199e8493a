/**
 * Launcher side of the child processes: start one through a shell that raises its soft
 * open-file limit to the hard limit (an open socket is a file descriptor), wait until it
 * is ready, send it requests, stop it, and kill it if it will not stop.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { ChildMessage, Ready, Request, Role, RoleArgs } from './protocol';

const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;

/**
 * `ulimit -n` is a shell builtin, so the shell raises the limit and then `exec`s node in its
 * place: the pid we hold is node's, and the IPC channel fd is inherited across the exec.
 */
const RAISE_AND_EXEC = 'ulimit -n "$(ulimit -Hn)" 2>/dev/null || true; exec "$0" "$@"';

export interface StartOptions {
  /** The child's whole environment (nothing of this shell's is inherited unless passed). */
  env?: NodeJS.ProcessEnv;
  /** Node flags, e.g. --expose-gc, --cpu-prof. */
  execArgv?: string[];
}

export class Child {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();

  private constructor(
    readonly name: string,
    readonly ready: Ready,
    private readonly process: ChildProcess,
    private readonly exited: Promise<void>,
  ) {
    process.on('message', (message: ChildMessage) => {
      if (message.type !== 'reply') return;
      const waiter = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (message.ok) waiter?.resolve(message.value);
      else waiter?.reject(new Error(`${name}: ${message.message}`));
    });
    void exited.then(() => {
      for (const waiter of this.pending.values()) waiter.reject(new Error(`${name} exited`));
      this.pending.clear();
    });
  }

  static async start<R extends Role>(name: string, role: R, args: RoleArgs[R], options: StartOptions = {}) {
    const script = join(__dirname, 'servers', `${role}.js`);
    const child = spawn(
      '/bin/sh',
      ['-c', RAISE_AND_EXEC, process.execPath, ...(options.execArgv ?? []), script, JSON.stringify(args)],
      { env: options.env ?? { PATH: process.env.PATH }, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] },
    );
    for (const stream of [child.stdout, child.stderr]) {
      if (stream) {
        createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
          process.stderr.write(`[${name}] ${line}\n`);
        });
      }
    }
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const ready = await new Promise<Ready>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`${name} was not ready within ${String(READY_TIMEOUT_MS / 1000)} s`));
      }, READY_TIMEOUT_MS);
      child.on('message', (message: ChildMessage) => {
        if (message.type === 'ready') resolve(message);
        else if (message.type === 'failed') reject(new Error(`${name} failed to start: ${message.message}`));
      });
      void exited.then(() => reject(new Error(`${name} exited before it was ready`)));
      void exited.finally(() => clearTimeout(timer));
    }).catch((error: unknown) => {
      child.kill('SIGKILL');
      throw error;
    });
    return new Child(name, ready, child, exited);
  }

  get pid(): number {
    return this.ready.pid;
  }

  /** Sends a request and resolves with the child's answer, or rejects after `timeoutMs`. */
  request<T>(message: Request, timeoutMs = 10_000): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${this.name} did not answer "${message.type}" within ${String(timeoutMs)} ms`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value as T);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      if (this.process.connected) this.process.send({ id, request: message });
      else reject(new Error(`${this.name} is not connected`));
    });
  }

  /** Asks for a clean exit (so --cpu-prof writes its profile); SIGKILL if that takes too long. */
  async stop(): Promise<void> {
    if (this.process.exitCode !== null || this.process.signalCode !== null) return;
    const timer = setTimeout(() => {
      process.stderr.write(
        `[bench] ${this.name} did not stop within ${String(STOP_TIMEOUT_MS / 1000)} s; killing it\n`,
      );
      this.kill();
    }, STOP_TIMEOUT_MS);
    this.request({ type: 'stop' }, STOP_TIMEOUT_MS).catch(() => undefined);
    await this.exited;
    clearTimeout(timer);
  }

  /** Last resort (watchdog, fatal error): no clean-up, no profile. */
  kill(): void {
    if (this.process.exitCode === null && this.process.signalCode === null) this.process.kill('SIGKILL');
  }
}
