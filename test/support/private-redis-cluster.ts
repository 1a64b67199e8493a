import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './free-port';
import { killChild } from './kill-child';

const run = promisify(execFile);

/**
 * A real three-master Redis Cluster of the test's own, from `redis-server
 * --cluster-enabled yes` on free ports, joined with `redis-cli --cluster create`.
 */
export class PrivateRedisCluster {
  private constructor(
    readonly ports: number[],
    private readonly processes: ChildProcess[],
  ) {}

  static async start(): Promise<PrivateRedisCluster> {
    const ports = await Promise.all([freePort(), freePort(), freePort()]);
    const processes = ports.map((port) => {
      const dir = mkdtempSync(join(tmpdir(), `bff-cluster-${String(port)}-`));
      return spawn(
        'redis-server',
        [
          '--port',
          String(port),
          '--bind',
          '127.0.0.1',
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          join(dir, 'nodes.conf'),
          '--save',
          '',
          '--appendonly',
          'no',
          '--dir',
          dir,
        ],
        { stdio: 'ignore' },
      );
    });
    const cluster = new PrivateRedisCluster(ports, processes);
    try {
      for (const port of ports) await cluster.waitFor(port, (info) => info.includes('PONG'), ['ping']);
      await run(
        'redis-cli',
        [
          '--cluster',
          'create',
          ...ports.map((port) => `127.0.0.1:${String(port)}`),
          '--cluster-replicas',
          '0',
          '--cluster-yes',
        ],
        {
          timeout: 20_000,
        },
      );
      for (const port of ports)
        await cluster.waitFor(port, (info) => info.includes('cluster_state:ok'), ['cluster', 'info']);
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    return cluster;
  }

  get url(): string {
    return `redis://127.0.0.1:${String(this.ports[0])}`;
  }

  get seeds(): string {
    return this.ports
      .slice(1)
      .map((port) => `127.0.0.1:${String(port)}`)
      .join(',');
  }

  async stop(): Promise<void> {
    await Promise.all(this.processes.map((child) => killChild(child)));
  }

  private async waitFor(port: number, ready: (output: string) => boolean, command: string[]): Promise<void> {
    for (let attempt = 0; attempt < 100; attempt++) {
      try {
        const { stdout } = await run('redis-cli', ['-p', String(port), ...command], { timeout: 2000 });
        if (ready(stdout)) return;
      } catch {
        // not up yet
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`Redis cluster node ${String(port)} did not become ready for "${command.join(' ')}"`);
  }
}
