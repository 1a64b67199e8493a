import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'node:net';
import Redis from 'ioredis';
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

async function waitUntilAnswering(port: number, what: string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    if (await answersPing(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${what} did not start on port ${String(port)}`);
}

/** A plain client of one test server (no Sentinel, no retries), for checks made by the test itself. */
function directClient(port: number): Redis {
  return new Redis({
    host: '127.0.0.1',
    port,
    protocol: 2,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
    connectTimeout: 2000,
    // A frozen server accepts connections (the kernel does) but never answers.
    commandTimeout: 2000,
  });
}

/** Runs one command on a test server over a fresh connection. */
async function runOnce<T>(port: number, run: (client: Redis) => Promise<T>): Promise<T> {
  const client = directClient(port);
  client.on('error', () => undefined);
  try {
    return await run(client);
  } finally {
    client.disconnect();
  }
}

/** `INFO` text as a map of its `name:value` lines. */
function parseInfo(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) fields[line.slice(0, colon)] = line.slice(colon + 1);
  }
  return fields;
}

/**
 * A redis-server of the test's own on a free port, so a test can stop and
 * restart Redis without disturbing anything else.
 */
export class PrivateRedis {
  private process?: ChildProcess;

  private constructor(
    readonly port: number,
    private readonly dataDir: string,
    private readonly persistent: boolean,
    private readonly replicaOf?: PrivateRedis,
  ) {}

  /**
   * `persistent`: an append-only file fsynced on every write, so data survives a kill and restart.
   * `replicaOf`: starts as a replica of that server (`--replicaof`); it is not yet in sync when
   * this resolves (see {@link replicationLinkUp}).
   */
  static async start(options: { persistent?: boolean; replicaOf?: PrivateRedis } = {}): Promise<PrivateRedis> {
    // A directory of its own even without persistence: a replica writes the snapshot it receives
    // from its master there (dump.rdb), which would otherwise land in the working directory.
    const dataDir = mkdtempSync(join(tmpdir(), 'bff-redis-'));
    const redis = new PrivateRedis(await freePort(), dataDir, options.persistent ?? false, options.replicaOf);
    await redis.resume();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${String(this.port)}`;
  }

  /** (Re)starts the server on the same port, with the arguments it was first started with, and waits until it answers. */
  async resume(): Promise<void> {
    const persistence = this.persistent ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no'];
    const replication = this.replicaOf ? ['--replicaof', '127.0.0.1', String(this.replicaOf.port)] : [];
    this.process = spawn(
      'redis-server',
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--dir',
        this.dataDir,
        '--save',
        '',
        ...persistence,
        ...replication,
      ],
      {
        stdio: 'ignore',
      },
    );
    await waitUntilAnswering(this.port, 'redis-server');
  }

  /** Holds every client's commands for `ms` (CLIENT PAUSE ALL): a slow Redis, answering late but answering. */
  async pauseClients(ms: number): Promise<void> {
    await runOnce(this.port, (client) => client.call('CLIENT', 'PAUSE', String(ms), 'ALL'));
  }

  /** Kills the server (SIGKILL: an outage, not a shutdown) and waits for it to be gone. */
  async stop(): Promise<void> {
    await killChild(this.process);
  }

  /** The `INFO replication` fields of this server (`role`, `master_port`, `master_link_status`, ...). */
  replication(): Promise<Record<string, string>> {
    return runOnce(this.port, async (client) => parseInfo(await client.info('replication')));
  }

  /** True when this server is a replica of `master` with its link up (the initial sync is done). */
  async replicationLinkUp(master: PrivateRedis): Promise<boolean> {
    const info: Record<string, string> = await this.replication().catch(() => ({}));
    return info.role === 'slave' && info.master_port === String(master.port) && info.master_link_status === 'up';
  }

  /**
   * Writes a marker and waits until `replicas` replicas acknowledged it (`WAIT`). Replication
   * is one ordered stream, so every write any client made before the marker is on them too.
   * Returns how many replicas acknowledged.
   */
  replicateAll(replicas: number): Promise<number> {
    return runOnce(this.port, async (client) => {
      await client.set('test:replication-marker', String(Date.now()));
      return client.wait(replicas, 0);
    });
  }

  /** Turns this server into a replica of `master` with REPLICAOF, as an operator would; open client connections stay open. */
  async demoteTo(master: PrivateRedis): Promise<void> {
    await runOnce(this.port, (client) => client.call('REPLICAOF', '127.0.0.1', String(master.port)));
  }

  /** Whether `key` exists on this server (read directly, not through Sentinel). */
  exists(key: string): Promise<boolean> {
    return runOnce(this.port, async (client) => (await client.exists(key)) === 1);
  }
}

/** Timings of a Sentinel's monitoring of `mymaster`; the defaults suit a one-sentinel smoke test. */
export interface SentinelOptions {
  /** Sentinels that must agree the master is down before a failover (default 1). */
  quorum?: number;
  /** `down-after-milliseconds`: silence after which a sentinel thinks the master is down (Redis default 30000). */
  downAfterMs?: number;
  /** `failover-timeout` (Redis default 180000): bounds a promotion, and a retry waits twice this. */
  failoverTimeoutMs?: number;
}

/** A Sentinel watching one private Redis as `mymaster`, on a free port. */
export class PrivateSentinel {
  private constructor(
    readonly port: number,
    private readonly process: ChildProcess,
  ) {}

  static async start(master: PrivateRedis, options: SentinelOptions = {}): Promise<PrivateSentinel> {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'bff-sentinel-'));
    const configFile = join(dir, 'sentinel.conf');
    const timings = [
      ...(options.downAfterMs === undefined
        ? []
        : [`sentinel down-after-milliseconds mymaster ${String(options.downAfterMs)}`]),
      ...(options.failoverTimeoutMs === undefined
        ? []
        : [`sentinel failover-timeout mymaster ${String(options.failoverTimeoutMs)}`]),
    ];
    // Sentinel rewrites its config file, so it gets a writable one of its own.
    writeFileSync(
      configFile,
      [
        `port ${String(port)}`,
        'bind 127.0.0.1',
        `dir ${dir}`,
        `sentinel monitor mymaster 127.0.0.1 ${String(master.port)} ${String(options.quorum ?? 1)}`,
        ...timings,
        '',
      ].join('\n'),
    );
    const child = spawn('redis-server', [configFile, '--sentinel'], { stdio: 'ignore' });
    const sentinel = new PrivateSentinel(port, child);
    try {
      await waitUntilAnswering(port, 'redis sentinel');
    } catch (error) {
      await sentinel.stop();
      throw error;
    }
    return sentinel;
  }

  get address(): string {
    return `127.0.0.1:${String(this.port)}`;
  }

  /** The port of the server this sentinel currently names as `mymaster`. */
  masterPort(): Promise<number> {
    return runOnce(this.port, async (client) => {
      const [, port] = (await client.call('SENTINEL', 'get-master-addr-by-name', 'mymaster')) as [string, string];
      return Number(port);
    });
  }

  /** `SENTINEL MASTER mymaster` as a map (`num-slaves`, `num-other-sentinels`, `flags`, ...). */
  masterState(): Promise<Record<string, string>> {
    return runOnce(this.port, async (client) => {
      const flat = (await client.call('SENTINEL', 'master', 'mymaster')) as string[];
      const state: Record<string, string> = {};
      for (let i = 0; i + 1 < flat.length; i += 2) state[flat[i]!] = flat[i + 1]!;
      return state;
    });
  }

  /** Freezes the process (SIGSTOP): its port still accepts connections but nothing answers, as a hung host. */
  freeze(): void {
    this.process.kill('SIGSTOP');
  }

  /** Lets a frozen sentinel run again (SIGCONT). */
  thaw(): void {
    this.process.kill('SIGCONT');
  }

  async stop(): Promise<void> {
    await killChild(this.process);
  }
}

/**
 * True when every sentinel monitors a healthy master, knows `replicas` replicas and all the
 * other sentinels: only then can they reach a quorum and elect a leader for a failover.
 */
export async function sentinelsSettled(sentinels: PrivateSentinel[], replicas: number): Promise<boolean> {
  const states = await Promise.all(sentinels.map((sentinel) => sentinel.masterState().catch(() => undefined)));
  return states.every(
    (state) =>
      state?.flags === 'master' &&
      state['num-slaves'] === String(replicas) &&
      state['num-other-sentinels'] === String(sentinels.length - 1),
  );
}
