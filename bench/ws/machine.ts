/** What the figures were measured on, for RESULTS.md. */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import Redis from 'ioredis';

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  kernel: string;
  node: string;
  redis: string;
  ws: string;
  commit: string;
  /** The 1-minute load average when the run started: anything else running skews the figures. */
  loadAtStart: number;
}

const loadAtStart = loadavg()[0] ?? 0;

/** The repository root: the first folder above this file with a package.json (works from src or dist). */
export function repoRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${__dirname}`);
    dir = parent;
  }
  return dir;
}

/** The hard RLIMIT_NOFILE: how far the launcher's shell can raise a child's soft limit. */
export function hardOpenFiles(): number {
  const line = readFileSync('/proc/self/limits', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('Max open files'));
  const hard = line?.slice('Max open files'.length).trim().split(/\s+/)[1];
  return hard === undefined || hard === 'unlimited' ? Number.POSITIVE_INFINITY : Number(hard);
}

function cpuModel(): string {
  const line = readFileSync('/proc/cpuinfo', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('model name'));
  return line ? line.slice(line.indexOf(':') + 1).trim() : (cpus()[0]?.model ?? 'unknown');
}

async function redisVersion(url: string): Promise<string> {
  const redis = new Redis(url, { lazyConnect: true, connectTimeout: 2_000, commandTimeout: 2_000 });
  try {
    await redis.connect();
    const info = await redis.info('server');
    return /^redis_version:(.+)$/m.exec(info)?.[1]?.trim() ?? 'unknown';
  } finally {
    redis.disconnect();
  }
}

function gitCommit(root: string): string {
  try {
    const run = (...args: string[]): string =>
      execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = run('status', '--porcelain', '--untracked-files=no') === '' ? '' : ' + uncommitted changes';
    return `${run('rev-parse', '--short', 'HEAD')}${dirty}`;
  } catch {
    return 'unknown';
  }
}

export async function describeMachine(redisUrl: string): Promise<Machine> {
  const root = repoRoot();
  const wsPackage = JSON.parse(readFileSync(join(root, 'node_modules', 'ws', 'package.json'), 'utf8')) as {
    version: string;
  };
  return {
    cpu: cpuModel(),
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    node: process.version,
    redis: await redisVersion(redisUrl),
    ws: wsPackage.version,
    commit: gitCommit(root),
    loadAtStart,
  };
}
