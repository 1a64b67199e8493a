/** What bench:ws's figures were measured on, for RESULTS.md. */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { describeBaseMachine, packageVersion, type BaseMachine } from '../common/machine';

export { repoRoot } from '../common/machine';

export interface Machine extends BaseMachine {
  ws: string;
  /** The 1-minute load average when the run started: anything else running skews the figures. */
  loadAtStart: number;
}

const loadAtStart = loadavg()[0] ?? 0;

/** The hard RLIMIT_NOFILE: how far the launcher's shell can raise a child's soft limit. */
export function hardOpenFiles(): number {
  const line = readFileSync('/proc/self/limits', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('Max open files'));
  const hard = line?.slice('Max open files'.length).trim().split(/\s+/)[1];
  return hard === undefined || hard === 'unlimited' ? Number.POSITIVE_INFINITY : Number(hard);
}

export async function describeMachine(redisUrl: string): Promise<Machine> {
  return { ...(await describeBaseMachine(redisUrl)), ws: packageVersion('ws'), loadAtStart };
}
