import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/** A BFF running as its own process from `apps/bff/src/main.ts`, exactly as `npm start` runs the build. */
export interface BffProcess {
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output(): string;
}

/** Starts a Node program with only the given environment (plus PATH), collecting its output. */
export function spawnNode(args: string[], env: Record<string, string>, cwd = ROOT): BffProcess {
  const child = spawn(process.execPath, args, {
    cwd,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      resolve({ code, signal });
    });
  });
  return { child, exited, output: () => output };
}

/** Starts `main.ts` through @swc-node/register with only the given environment (plus PATH). */
export function spawnBff(env: Record<string, string>): BffProcess {
  return spawnNode(['-r', '@swc-node/register', join(ROOT, 'apps/bff/src/main.ts')], env);
}

/** Polls `/health/live` until it answers (bounded), failing with the process output otherwise. */
export async function waitUntilLive(url: string, bff: BffProcess, attempts = 100): Promise<void> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    if (bff.child.exitCode !== null) break;
    try {
      if ((await fetch(`${url}/health/live`, { signal: AbortSignal.timeout(500) })).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the BFF process did not come up:\n${bff.output()}`);
}
