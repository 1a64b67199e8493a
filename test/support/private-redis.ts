import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'node:net';
import { freePort } from './free-port';
import { killChild } from './kill-child';

function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.setTimeout(500);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString().startsWith('+PONG'));
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/**
 * A redis-server of the test's own on a free port, so a test can stop and
 * restart Redis without disturbing anything else.
 */
export class PrivateRedis {
  private process?: ChildProcess;

  private constructor(
    readonly port: number,
    private readonly dataDir?: string,
  ) {}

  /** `persistent`: an append-only file fsynced on every write, so data survives a kill and restart. */
  static async start(options: { persistent?: boolean } = {}): Promise<PrivateRedis> {
    const dataDir = options.persistent ? mkdtempSync(join(tmpdir(), 'bff-redis-')) : undefined;
    const redis = new PrivateRedis(await freePort(), dataDir);
    await redis.resume();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${String(this.port)}`;
  }

  /** (Re)starts the server on the same port and waits until it answers. */
  async resume(): Promise<void> {
    const persistence = this.dataDir
      ? ['--appendonly', 'yes', '--appendfsync', 'always', '--dir', this.dataDir]
      : ['--appendonly', 'no'];
    this.process = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', ...persistence],
      {
        stdio: 'ignore',
      },
    );
    for (let attempt = 0; attempt < 100; attempt++) {
      if (await answersPing(this.port)) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`redis-server did not start on port ${String(this.port)}`);
  }

  /** Kills the server (SIGKILL: an outage, not a shutdown) and waits for it to be gone. */
  async stop(): Promise<void> {
    await killChild(this.process);
  }
}

/** A Sentinel watching one private Redis as `mymaster`, on a free port. */
export class PrivateSentinel {
  private constructor(
    readonly port: number,
    private readonly process: ChildProcess,
  ) {}

  static async start(master: PrivateRedis): Promise<PrivateSentinel> {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'bff-sentinel-'));
    const configFile = join(dir, 'sentinel.conf');
    // Sentinel rewrites its config file, so it gets a writable one of its own.
    writeFileSync(
      configFile,
      [
        `port ${String(port)}`,
        'bind 127.0.0.1',
        `dir ${dir}`,
        `sentinel monitor mymaster 127.0.0.1 ${String(master.port)} 1`,
        '',
      ].join('\n'),
    );
    const child = spawn('redis-server', [configFile, '--sentinel'], { stdio: 'ignore' });
    const sentinel = new PrivateSentinel(port, child);
    for (let attempt = 0; attempt < 100; attempt++) {
      if (await answersPing(port)) return sentinel;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await sentinel.stop();
    throw new Error(`redis sentinel did not start on port ${String(port)}`);
  }

  async stop(): Promise<void> {
    await killChild(this.process);
  }
}
