/** Parent side of the server processes: fork, wait until ready, ask for stats, stop. */
import { fork, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { DevIdpStats } from '@bff/dev-idp';
import type { ChildMessage, ParentMessage } from './child-protocol';

const READY_TIMEOUT_MS = 30_000;
const REPLY_TIMEOUT_MS = 5_000;
const STOP_TIMEOUT_MS = 10_000;

export interface StartOptions {
  /** The child's whole environment (nothing is inherited unless passed here). */
  env?: NodeJS.ProcessEnv;
  /** Node flags, e.g. --cpu-prof. */
  execArgv?: string[];
  /**
   * `drain`: the child's stdout is read and thrown away, only its lines counted (a BFF writing
   * its access log to a pipe, as under a container runtime or a log shipper). Default `show`:
   * every line is copied to this process's stderr with the child's name.
   */
  stdout?: 'show' | 'drain';
  /** What runs the script instead of this Node (with `execArgv` before it): valgrind, say. */
  execPath?: string;
  /** How long the child may take to say it is ready (default 30 s). */
  readyTimeoutMs?: number;
}

const NEWLINE = 0x0a;

/** What a drained stdout carried: its line count and its last complete line. */
class DrainedOutput {
  lines = 0;
  lastLine = '';
  private tail = '';

  read(chunk: Buffer): void {
    let at = chunk.indexOf(NEWLINE);
    if (at < 0) {
      this.tail += chunk.toString('utf8');
      return;
    }
    let last = -1;
    while (at >= 0) {
      this.lines += 1;
      last = at;
      at = chunk.indexOf(NEWLINE, at + 1);
    }
    // Only the last line is kept (for a check before measuring); everything else is dropped unread.
    const before = last > 0 ? chunk.lastIndexOf(NEWLINE, last - 1) : -1;
    this.lastLine = (before < 0 ? this.tail : '') + chunk.toString('utf8', before + 1, last);
    this.tail = chunk.toString('utf8', last + 1);
  }
}

/** One server process. Its output is prefixed with its name so failures say where they come from. */
export class ServerProcess {
  private constructor(
    readonly name: string,
    readonly url: string,
    private readonly process: ChildProcess,
    private readonly exited: Promise<void>,
    private readonly drained?: DrainedOutput,
  ) {}

  /** The child's process id. */
  get pid(): number | undefined {
    return this.process.pid;
  }

  /** Lines the child wrote to a drained stdout so far, and the last of them (see StartOptions.stdout). */
  output(): { lines: number; lastLine: string } {
    return { lines: this.drained?.lines ?? 0, lastLine: this.drained?.lastLine ?? '' };
  }

  /** Forks `script` (a compiled server entry that calls serve()) with `args` as JSON in argv[2]. */
  static async start(name: string, script: string, args: unknown, options: StartOptions = {}): Promise<ServerProcess> {
    const child = fork(script, [JSON.stringify(args)], {
      env: options.env ?? { PATH: process.env.PATH },
      execArgv: options.execArgv ?? [],
      ...(options.execPath === undefined ? {} : { execPath: options.execPath }),
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    const drained = options.stdout === 'drain' ? new DrainedOutput() : undefined;
    if (drained) child.stdout?.on('data', (chunk: Buffer) => drained.read(chunk));
    for (const stream of drained ? [child.stderr] : [child.stdout, child.stderr]) {
      if (stream) {
        createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
          process.stderr.write(`[${name}] ${line}\n`);
        });
      }
    }
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const readyTimeoutMs = options.readyTimeoutMs ?? READY_TIMEOUT_MS;
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`${name} was not ready within ${String(readyTimeoutMs / 1000)} s`));
      }, readyTimeoutMs);
      const settle = (error: Error | undefined, value = ''): void => {
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('exit', onExit);
        if (error) reject(error);
        else resolve(value);
      };
      const onMessage = (message: ChildMessage): void => {
        if (message.type === 'ready') settle(undefined, message.url);
        else if (message.type === 'failed') settle(new Error(`${name} failed to start: ${message.message}`));
      };
      const onExit = (code: number | null): void => {
        settle(new Error(`${name} exited before it was ready (code ${String(code)})`));
      };
      child.on('message', onMessage);
      child.once('exit', onExit);
    }).catch((error: unknown) => {
      child.kill('SIGKILL');
      throw error;
    });
    return new ServerProcess(name, url, child, exited, drained);
  }

  /** The dev IdP's counters (zeros from any other role). */
  async stats(): Promise<DevIdpStats> {
    return (await this.ask('stats')).stats;
  }

  /** The server's own counters (see Running.counters). */
  async counters(): Promise<Record<string, number>> {
    return (await this.ask('counters')).counters;
  }

  /** CPU time (user + system, µs) the process has used since it started. */
  async cpuMicros(): Promise<number> {
    const { usage } = await this.ask('cpu');
    return usage.user + usage.system;
  }

  private ask<K extends 'stats' | 'cpu' | 'counters'>(type: K): Promise<Extract<ChildMessage, { type: K }>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.process.off('message', onMessage);
        reject(new Error(`${this.name} did not answer a ${type} request`));
      }, REPLY_TIMEOUT_MS);
      const onMessage = (message: ChildMessage): void => {
        if (message.type !== type) return;
        clearTimeout(timer);
        this.process.off('message', onMessage);
        resolve(message as Extract<ChildMessage, { type: K }>);
      };
      this.process.on('message', onMessage);
      this.send({ type });
    });
  }

  /** Asks for a clean exit (which writes a --cpu-prof profile); SIGKILL if that takes too long. */
  async stop(): Promise<void> {
    if (this.process.exitCode !== null || this.process.signalCode !== null) return;
    this.send({ type: 'stop' });
    const timer = setTimeout(() => {
      process.stderr.write(
        `[bench] ${this.name} did not stop within ${String(STOP_TIMEOUT_MS / 1000)} s; killing it\n`,
      );
      this.process.kill('SIGKILL');
    }, STOP_TIMEOUT_MS);
    await this.exited;
    clearTimeout(timer);
  }

  /** Last resort (watchdog, fatal error): no clean-up, no profile. */
  kill(): void {
    if (this.process.exitCode === null && this.process.signalCode === null) this.process.kill('SIGKILL');
  }

  private send(message: ParentMessage): void {
    if (this.process.connected) this.process.send(message);
  }
}

/** The server processes of one run: started one by one, stopped together. */
export class ServerGroup {
  readonly servers: ServerProcess[] = [];

  async start(name: string, script: string, args: unknown, options: StartOptions = {}): Promise<ServerProcess> {
    const server = await ServerProcess.start(name, script, args, options);
    this.servers.push(server);
    return server;
  }

  /** A running server by name. */
  get(name: string): ServerProcess {
    const server = this.servers.find((s) => s.name === name);
    if (!server) throw new Error(`${name} is not running`);
    return server;
  }

  /** Clean stops (so profiles get written), in parallel. */
  async stop(): Promise<void> {
    await Promise.all(this.servers.map((server) => server.stop()));
  }

  kill(): void {
    for (const server of this.servers) server.kill();
  }
}
