import type { ChildProcess } from 'node:child_process';

/** Kills a child with SIGKILL (an outage, not a shutdown) and resolves once it is gone. */
export function killChild(child: ChildProcess | undefined): Promise<void> {
  if (child?.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}
