/**
 * Reads a V8 .cpuprofile (as written by --cpu-prof) and says where the CPU time of the measured
 * windows went: self time by package / Node subsystem and by function, and the inclusive time
 * of the BFF's own functions (libs/, apps/), all in µs.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  file: string;
  /** CPU µs sampled inside the windows, idle excluded. */
  busyUs: number;
  idleUs: number;
  /** Self µs by package / Node subsystem. */
  byCategory: Map<string, number>;
  /** Self µs by function. */
  byFunction: Map<string, number>;
  /** Inclusive µs of each function of the BFF's own code (libs/, apps/). */
  ownInclusive: Map<string, number>;
}

const VM_STATES = new Set(['(garbage collector)', '(program)', '(idle)', '(root)']);
/** Native stream writes: where a socket write's system call (and loopback TCP in the kernel) is charged. */
const SOCKET_WRITES = /^write(v|Buffer|\w+String)$/;
const OWN_CODE = /\/(libs|apps)\/([^/]+)\//;

/** Which package, lib or Node subsystem a frame belongs to. */
function categoryOf(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (VM_STATES.has(functionName)) return functionName;
  if (url === '') {
    if (SOCKET_WRITES.test(functionName)) return 'socket writes (system calls)';
    return functionName.startsWith('RegExp:') ? 'regular expressions' : 'other native / V8 builtins';
  }
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const [scope = '', name = ''] = url.slice(modules + '/node_modules/'.length).split('/');
    return scope.startsWith('@') ? `${scope}/${name}` : scope;
  }
  if (url.startsWith('node:')) {
    const [first = ''] = url
      .slice('node:'.length)
      .replace(/^internal\//, '')
      .split('/');
    return `node:${first}`;
  }
  const own = OWN_CODE.exec(url);
  if (own) return `${own[1] ?? ''}/${own[2] ?? ''}`;
  return url.includes('/bench/') ? 'bench' : 'other';
}

function functionLabel(frame: CallFrame): string {
  const name = frame.functionName || '(anonymous)';
  if (frame.url === '') return name;
  return `${name} (${categoryOf(frame)}: ${basename(frame.url)}:${String(frame.lineNumber + 1)})`;
}

function add(totals: Map<string, number>, key: string, us: number): void {
  totals.set(key, (totals.get(key) ?? 0) + us);
}

/** Self and own-code inclusive time of the samples inside the windows ([from, to], process.hrtime µs). */
export function summarizeProfile(file: string, windows: [number, number][]): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parents = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  const summary: ProfileSummary = {
    file,
    busyUs: 0,
    idleUs: 0,
    byCategory: new Map(),
    byFunction: new Map(),
    ownInclusive: new Map(),
  };
  // V8 stamps samples with the monotonic clock process.hrtime reads on Linux, so the windows apply as is.
  let at = profile.startTime;
  profile.samples.forEach((nodeId, index) => {
    at += profile.timeDeltas[index] ?? 0;
    // A sample stands for the time until the next one.
    const us = profile.timeDeltas[index + 1] ?? 0;
    const frame = nodes.get(nodeId)?.callFrame;
    if (!frame || !windows.some(([from, to]) => at >= from && at <= to)) return;
    if (frame.functionName === '(idle)') {
      summary.idleUs += us;
      return;
    }
    summary.busyUs += us;
    add(summary.byCategory, categoryOf(frame), us);
    add(summary.byFunction, functionLabel(frame), us);
    const seen = new Set<string>();
    for (let id: number | undefined = nodeId; id !== undefined; id = parents.get(id)) {
      const caller = nodes.get(id)?.callFrame;
      if (!caller || !OWN_CODE.test(caller.url)) continue;
      const label = functionLabel(caller);
      // Recursion or a function on the stack twice must count once per sample.
      if (!seen.has(label)) add(summary.ownInclusive, label, us);
      seen.add(label);
    }
  });
  if (summary.busyUs === 0) throw new Error(`${file}: no samples inside the measured windows`);
  return summary;
}

/** The one .cpuprofile a process wrote into its own folder. */
export function profileIn(dir: string): string {
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  if (files.length !== 1) throw new Error(`expected one .cpuprofile in ${dir}, found ${String(files.length)}`);
  return join(dir, files[0] ?? '');
}
