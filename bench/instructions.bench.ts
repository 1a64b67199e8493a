/**
 * `npm run bench:instructions`: machine instructions per proxied request on each proxy's main
 * thread (its event loop, which bounds its throughput), counted by valgrind's callgrind. On this
 * shared VM two processes of one build differ by up to 15% in req/s and CPU time (bench:proxy's
 * A/A row), so a change of a few percent cannot be seen in time; an instruction count is the same
 * within a few percent from run to run, whatever else the machine does. It leaves out what
 * instructions do not show: kernel time (socket writes), cache misses, and the work of the other
 * threads (V8's compilation and parallel GC, libuv's pool), printed beside it.
 *
 * Each proxy runs under callgrind with counting off; after a warm-up (BENCH_WARM_REQUESTS, 15000:
 * the JIT settled) counting is switched on for exactly BENCH_REQUESTS (2000) requests of the same
 * GET as bench:proxy, 10 connections, then dumped. The rows: the bare reply-from proxy (the
 * baseline), the bare undici proxy, the BFF at defaults (headline), at error logging (tuned; and
 * so its client-credentials and token-exchange routes, each against the user route),
 * with tracing on (OTLP/protobuf to the collector stub), with tracing on and every span dropped
 * as it ends (the SDK's own work: no serializer, no export), with tracing on and every trace
 * sampled out (`always_off`: what a request pays before anything is recorded), and with DPoP
 * (its ES256 signatures are made on libuv's pool: the main thread pays for the claims, the
 * pool's threads for the rest).
 * Under valgrind a process runs some 50× slower, so every BFF keeps sessions cached for 60 s: at
 * full speed the default 1 s cache misses once per several thousand requests, and so it does here. Two rows run at a time (callgrind runs
 * one thread at a time, so one core each). Prints a table; `BENCH_WRITE=1` writes it to
 * bench/RESULTS.md. `BENCH_ROWS=headline,tracing` runs only those rows; `BENCH_KEEP=1` keeps the
 * dumps and `BENCH_PERF_MAP=1` has Node name its JIT code, for `callgrind_annotate`. Needs valgrind
 * (`apt-get install -y valgrind`).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { freePort } from '../test/support/free-port';
import { apiUrl, bffEnvironment, loginToBff } from './common/bff';
import { ServerGroup, type ServerProcess } from './common/children';
import { commandLine } from './common/command-line';
import { describeBaseMachine, packageVersion, repoRoot } from './common/machine';
import { CLIENT_ROUTE, EXCHANGE_ROUTE, JSON_1K_PATH, ROUTE } from './common/proxied-get';
import { machineLines, writeSection } from './common/report';
import { runBench } from './common/run-bench';
import { intFromEnv } from './common/settings';
import { ACCESS_TOKEN_TTL_SECONDS, serverScript } from './proxy/protocol';
import { dpopEnvironment, tracingEnvironment } from './proxy/variants';

const REQUESTS = intFromEnv('BENCH_REQUESTS', 2000, 100);
const WARM_REQUESTS = intFromEnv('BENCH_WARM_REQUESTS', 15000, 0);
const WRITE = process.env.BENCH_WRITE === '1';
/** `BENCH_PERF_MAP=1`: Node writes /tmp/perf-<pid>.map, which names the JIT code in callgrind's dumps. */
const PERF_MAP = process.env.BENCH_PERF_MAP === '1';
/** `BENCH_KEEP=1`: the dumps stay (their folder is printed), for callgrind_annotate. */
const KEEP = process.env.BENCH_KEEP === '1';
/** `BENCH_NODE=/path/to/node`: every proxy runs on that Node (say, .ci/node24's), not on this one. */
const NODE = process.env.BENCH_NODE ?? process.execPath;
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const CACHE_MS = 60_000;
const CLIENT = { clientId: 'bff-instructions', clientSecret: 'bff-instructions-secret' };
/** The DPoP row's client at the dev IdP in FAPI 2.0 mode: private_key_jwt, no secret. */
const FAPI_CLIENT = { clientId: 'bff-instructions-fapi', clientSecret: '' };

type RowName =
  | 'bare'
  | 'bare-undici'
  | 'headline'
  | 'tuned'
  | 'client'
  | 'exchange'
  | 'tracing'
  | 'tracing-dropped'
  | 'tracing-unsampled'
  | 'dpop';
const ALL_ROWS: { name: RowName; label: string }[] = [
  { name: 'bare', label: 'bare reply-from proxy' },
  { name: 'bare-undici', label: 'bare undici proxy (the BFF’s engine)' },
  { name: 'headline', label: '**headline: BFF at production defaults** (info + access log to a pipe, metrics)' },
  { name: 'tuned', label: 'tuned: BFF, error logging only' },
  { name: 'client', label: 'tuned: a client route (client-credentials token)' },
  { name: 'exchange', label: 'tuned: an exchange route (exchanged user token)' },
  { name: 'tracing', label: 'defaults + tracing (100% sampled, OTLP/protobuf to a collector stub)' },
  {
    name: 'tracing-dropped',
    label: 'defaults + tracing, every span dropped as it ends (no serializer, no export): the SDK’s own work',
  },
  {
    name: 'tracing-unsampled',
    label:
      'defaults + tracing, every trace sampled out (`always_off`): what a request pays before anything is recorded',
  },
  { name: 'dpop', label: 'defaults + DPoP (FAPI 2.0 IdP, a fresh ES256 proof per request, signed on the thread pool)' },
];
/** `BENCH_ROWS=headline,tracing`: only those rows. */
const ROWS = ALL_ROWS.filter(({ name }) => process.env.BENCH_ROWS?.split(',').includes(name) ?? true);

/** Instructions per request: the main thread's, and every other thread's together (V8's helpers, libuv's pool). */
interface Count {
  main: number;
  helpers: number;
}

const outDir = mkdtempSync(join(tmpdir(), 'bench-instructions-'));

function underCallgrind(name: string): { execPath: string; execArgv: string[]; readyTimeoutMs: number } {
  return {
    execPath: 'valgrind',
    execArgv: [
      '--tool=callgrind',
      '--instr-atstart=no',
      '--separate-threads=yes',
      `--callgrind-out-file=${join(outDir, `${name}.%p.out`)}`,
      NODE,
      ...(PERF_MAP ? ['--perf-basic-prof'] : []),
    ],
    readyTimeoutMs: 600_000,
  };
}

async function fire(url: string, headers: Record<string, string>, amount: number): Promise<void> {
  const result = await autocannon({ url, headers, connections: 10, pipelining: 1, amount, timeout: 60 });
  if (result['2xx'] !== amount) {
    throw new Error(`${url}: ${String(result['2xx'])} of ${String(amount)} requests answered 2xx`);
  }
}

function callgrindControl(pid: number, ...args: string[]): void {
  execFileSync('callgrind_control', [...args, String(pid)], { stdio: 'ignore' });
}

/** The dump's totals by thread (files `<name>.<pid>.out.1-<thread>`; thread 01 is the main one). */
function countOf(name: string): Count {
  const count: Count = { main: 0, helpers: 0 };
  for (const file of readdirSync(outDir).filter((f) => f.startsWith(`${name}.`) && /\.out\.1-\d+$/.test(f))) {
    const totals = /^(?:summary|totals): (\d+)/m.exec(readFileSync(join(outDir, file), 'utf8'));
    const instructions = Number(totals?.[1] ?? 0) / REQUESTS;
    if (file.endsWith('-01')) count.main = instructions;
    else count.helpers += instructions;
  }
  if (count.main === 0) throw new Error(`${name}: callgrind wrote no count for the main thread`);
  return count;
}

async function measure(
  name: string,
  server: ServerProcess,
  url: string,
  headers: Record<string, string>,
): Promise<Count> {
  await fire(url, headers, WARM_REQUESTS);
  const pid = server.pid;
  if (pid === undefined) throw new Error(`${name} has no process id`);
  callgrindControl(pid, '--instr=on');
  callgrindControl(pid, '--zero');
  await fire(url, headers, REQUESTS);
  callgrindControl(pid, '--dump');
  callgrindControl(pid, '--instr=off');
  const count = countOf(name);
  console.log(`[instructions] ${name}: ${(count.main / 1000).toFixed(1)} k on the main thread per request`);
  return count;
}

/** One row in a group of its own: its upstream, IdP and collector are not measured. */
async function row(name: RowName, servers: ServerGroup): Promise<Count> {
  const upstream = await servers.start(`${name}-upstream`, serverScript('upstream'), {});
  if (name === 'bare' || name === 'bare-undici') {
    const bare = await servers.start(name, serverScript(name), { upstream: upstream.url }, underCallgrind(name));
    return measure(name, bare, new URL(`/api/${ROUTE}${JSON_1K_PATH}`, bare.url).href, {});
  }
  const port = await freePort();
  const dpop = name === 'dpop';
  const client = dpop ? FAPI_CLIENT : CLIENT;
  const idp = await servers.start(`${name}-idp`, serverScript('idp'), {
    ...client,
    bffUrls: [`http://localhost:${String(port)}`],
    accessTokenTtlSeconds: ACCESS_TOKEN_TTL_SECONDS,
    fapi2: dpop,
  });
  let env = bffEnvironment({
    ...client,
    port,
    issuer: idp.url,
    upstream: upstream.url,
    sessionSecret: randomBytes(32).toString('base64url'),
    cacheMs: CACHE_MS,
    redisUrl,
  });
  if (dpop) env = dpopEnvironment(env);
  if (name === 'tracing' || name === 'tracing-dropped' || name === 'tracing-unsampled') {
    const collector = await servers.start(`${name}-collector`, serverScript('collector'), {});
    env = tracingEnvironment(env, collector.url);
    if (name === 'tracing-unsampled') env.OTEL_TRACES_SAMPLER = 'always_off';
  }
  // `BENCH_BFF_ENV='{"NAME":"value"}'`: variables added to every BFF's (to compare a setting).
  env = { ...env, ...(JSON.parse(process.env.BENCH_BFF_ENV ?? '{}') as NodeJS.ProcessEnv) };
  const tuned = name === 'tuned' || name === 'client' || name === 'exchange';
  const route = name === 'client' ? CLIENT_ROUTE : name === 'exchange' ? EXCHANGE_ROUTE : ROUTE;
  const bff = await servers.start(
    name,
    serverScript('bff'),
    { logs: tuned ? 'errors' : 'defaults', dropSpans: name === 'tracing-dropped' },
    { env, stdout: 'drain', ...underCallgrind(name) },
  );
  return measure(name, bff, apiUrl(bff.url, JSON_1K_PATH, route), await loginToBff(bff));
}

function report(counts: Map<RowName, Count>, machine: string): string {
  const bare = counts.get('bare')?.main ?? Number.NaN;
  const headline = counts.get('headline')?.main ?? Number.NaN;
  const tuned = counts.get('tuned')?.main ?? Number.NaN;
  const k = (value: number): string => (value / 1000).toFixed(1);
  // A ratio against a row this run did not measure (BENCH_ROWS) is left blank.
  const ratio = (value: number, base: number): string => (Number.isNaN(base) ? '–' : (value / base).toFixed(2));
  const lines = ROWS.map(({ name, label }) => {
    const count = counts.get(name) ?? { main: Number.NaN, helpers: Number.NaN };
    // The routes' token policies compare with the user route at the same logging.
    const routeRatio = name === 'client' || name === 'exchange' ? ratio(count.main, tuned) : '';
    return `| ${label} | ${k(count.main)} | ${ratio(count.main, bare)} | ${ratio(count.main, headline)} | ${routeRatio} | ${k(count.helpers)} |`;
  });
  return [
    '## Instructions per request (bench:instructions)',
    '',
    `- Date: ${new Date().toISOString()}`,
    `- Command: \`${commandLine('bench:instructions')}\``,
    machine,
    `- ${String(REQUESTS)} requests counted per row after ${String(WARM_REQUESTS)} of warm-up, 10 connections, under callgrind; BFFs with \`SESSION_CACHE_MS=${CACHE_MS}\` (see bench/instructions.bench.ts).`,
    '',
    '| target | main thread, k instructions per request | vs bare | vs headline | vs tuned (the user route) | other threads (V8 helpers, libuv pool), k |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...lines,
  ].join('\n');
}

async function main(): Promise<void> {
  const counts = new Map<RowName, Count>();
  const pending = [...ROWS];
  const worker = async (): Promise<void> => {
    for (let next = pending.shift(); next !== undefined; next = pending.shift()) {
      const servers = new ServerGroup();
      groups.push(servers);
      try {
        counts.set(next.name, await row(next.name, servers));
      } finally {
        await servers.stop();
      }
    }
  };
  await Promise.all([worker(), worker()]);
  const base = await describeBaseMachine(redisUrl);
  // The proxies' Node, which BENCH_NODE may have made another than this script's.
  const node = execFileSync(NODE, ['--version'], { encoding: 'utf8' }).trim();
  const machine = machineLines(
    { ...base, node },
    {
      valgrind: execFileSync('valgrind', ['--version'], { encoding: 'utf8' })
        .trim()
        .replace(/^valgrind-/, ''),
      fastify: packageVersion('fastify'),
      undici: packageVersion('undici'),
    },
  );
  const markdown = report(counts, machine);
  console.log(`\n${markdown}\n`);
  if (WRITE) await writeSection(join(repoRoot(), 'bench', 'RESULTS.md'), 'bench:instructions', markdown);
  if (KEEP) console.log(`callgrind's dumps: ${outDir}`);
  else rmSync(outDir, { recursive: true, force: true });
}

const groups: ServerGroup[] = [];
runBench(
  main,
  {
    stop: async () => {
      await Promise.all(groups.map((group) => group.stop()));
    },
    kill: () => {
      for (const group of groups) group.kill();
    },
  },
  3600,
);
