/**
 * `npm run bench:proxy`: what the BFF's proxy costs. autocannon (here, in the parent) sends
 * a GET of a 1 KiB JSON with 100 connections to, in the same run and on the same upstream:
 *   - the upstream directly,
 *   - a bare fastify + @fastify/reply-from proxy (no session): the baseline of the targets,
 *   - a bare fastify + undici dispatcher proxy, the BFF's own engine (no session),
 *   - bench:peer's peer (express-openid-connect + http-proxy-middleware), logged in,
 *   - the headline: the BFF at production defaults (`npm start`'s configuration: `info` logs
 *     with the access log, on a stdout pipe this process drains; metrics on), logged in,
 *   - the same with tracing on (100% sampled, OTLP/HTTP to a collector stub, servers/collector.ts),
 *   - the same with DPoP: the dev IdP in FAPI 2.0 mode, a fresh ES256 proof per request,
 *   - the tuned rows (error logging only): the user route with the default session cache and
 *     with none, a client route and an exchange route.
 * Throughput is reported as ratios against the baselines of the same run, round by round;
 * the tables go to bench/RESULTS.md. Every server runs in its own process (servers/*.ts),
 * on loopback only, for a bounded time.
 *
 * Environment: BENCH_DURATION (s, default 10), BENCH_WARMUP (s, 3), BENCH_ROUNDS (3),
 * BENCH_CONNECTIONS (100), BENCH_CPU_PROF=1 (profile the proxies with --cpu-prof; writes a
 * separate section), BENCH_WRITE=0 (print only, leave RESULTS.md alone: smoke runs, e.g.
 * `BENCH_DURATION=3 BENCH_WARMUP=1 BENCH_ROUNDS=1 BENCH_WRITE=0`), REDIS_URL (default
 * redis://127.0.0.1:6379).
 */
import { cpus } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { runBench } from './common/run-bench';
import { commandLine } from './common/command-line';
import { verifyTarget } from './common/load';
import { measureStack } from './common/measure-stack';
import { packageVersion, repoRoot } from './common/machine';
import { cpuTable, machineLines, writeSection } from './common/report';
import { loadLine, loadRunSettings } from './common/settings';
import { summarize } from './common/summary';
import { profileIn, summarizeProfile } from './proxy/profile';
import { profilesMarkdown, type Profiled } from './proxy/profile-report';
import { interpretation, policyLines, resultsTable } from './proxy/report';
import { NAMES, PROCESSES, Stack } from './proxy/stack';
import { targetLines } from './proxy/targets-report';

const run = loadRunSettings();
const { load: settings, rounds, redisUrl } = run;
const profiling = process.env.BENCH_CPU_PROF === '1';
const root = repoRoot();
const profileRoot = join(root, 'dist-bench', 'profiles', new Date().toISOString().replace(/[:.]/g, '-'));
/** The first two are compared function by function: the bare proxy and the headline BFF. */
const PROFILED = [
  PROCESSES.bare,
  PROCESSES.bffDefaults,
  PROCESSES.bareUndici,
  PROCESSES.bff,
  PROCESSES.bffDpop,
  PROCESSES.bffTracing,
  PROCESSES.bffNoCache,
  PROCESSES.bffClient,
  PROCESSES.bffExchange,
];

const stack = new Stack({
  redisUrl,
  execArgv: (name) => {
    if (!profiling || !PROFILED.includes(name)) return [];
    const dir = join(profileRoot, name);
    mkdirSync(dir, { recursive: true });
    return ['--cpu-prof', '--cpu-prof-dir', dir];
  },
});

async function main(): Promise<void> {
  await stack.start();
  for (const target of stack.targets) await verifyTarget(target);
  await stack.verifyAccessLogs();
  const { results, refreshes, machine } = await measureStack(
    stack,
    settings,
    rounds,
    redisUrl,
    profiling ? ', under --cpu-prof' : '',
  );

  const rows = summarize(stack.targets, results, {
    baselines: { direct: NAMES.direct, bare: NAMES.bare, peer: NAMES.peer, headline: NAMES.bffDefaults },
    upstreamProcess: PROCESSES.upstream,
    cores: cpus().length,
  });
  const tables = [
    resultsTable(rows),
    'CPU per request (µs), by process, over all rounds:',
    cpuTable(rows),
    targetLines(rows, NAMES, stack.totals, PROCESSES.bffDefaults),
    `${interpretation(rows, NAMES, refreshes)}\n${policyLines(rows, NAMES.bff, NAMES.bffClient, NAMES.bffExchange)}`,
  ].join('\n\n');
  console.log(`\n${tables}\n`);
  const header = [
    `- Date: ${new Date().toISOString()}`,
    `- Command: \`${commandLine('bench:proxy')}\``,
    machineLines(machine, { autocannon: packageVersion('autocannon') }),
    loadLine(run),
  ].join('\n');
  const file = join(root, 'bench', 'RESULTS.md');
  const { write } = run;
  if (!profiling) {
    if (write) await writeSection(file, 'bench:proxy', `## Proxy (bench:proxy)\n\n${header}\n\n${tables}`);
    console.log(write ? `[bench] wrote ${file}` : '[bench] BENCH_WRITE=0: RESULTS.md left alone');
    return;
  }
  const profiles = PROFILED.map((name): Profiled => {
    const target = stack.targets.find((t) => t.process === name)?.name ?? name;
    const runs = results.filter((m) => m.target === target);
    const windows = runs.map((m) => m.windowUs);
    writeFileSync(join(profileRoot, name, 'windows.json'), JSON.stringify(windows));
    const file = profileIn(join(profileRoot, name));
    return {
      target,
      path: relative(root, file),
      summary: summarizeProfile(file, windows),
      requests: runs.reduce((sum, m) => sum + m.requests, 0),
    };
  });
  const analysis = profilesMarkdown(profiles);
  const body = [
    '## Proxy profile (BENCH_CPU_PROF=1 npm run bench:proxy)',
    header,
    'Under the sampling profiler (slower than without it; compare ratios only):',
    tables,
    analysis,
  ].join('\n\n');
  if (write) await writeSection(file, 'bench:proxy-profile', body);
  console.log(`${analysis}\n\n${write ? `[bench] wrote ${file}` : '[bench] BENCH_WRITE=0: RESULTS.md left alone'}`);
}

// Generous: every target's warm-up and rounds half again, plus start-up and logins.
const perTarget = settings.warmupSeconds + rounds * settings.durationSeconds;
runBench(main, stack, 120 + 1.5 * Object.keys(NAMES).length * perTarget);
