/**
 * `npm run bench:peer`: the BFF against the Node stack a team would otherwise assemble for the
 * same job, on bench:proxy's request (a GET of 1 KiB of JSON with a logged-in session, 100
 * connections), in one run and on the same upstream, Redis and dev IdP:
 *   - a bare fastify + @fastify/reply-from proxy (no session): the common baseline,
 *   - the peer: express + express-openid-connect (Redis session store via connect-redis) +
 *     http-proxy-middleware, configured as their documentation shows (peer/servers/peer.ts),
 *   - the BFF with its default session cache.
 * Throughput ratios are taken round by round; the section in bench/RESULTS.md and the chart
 * bench/peer-chart.svg are written by this script. Every server runs in its own process, on
 * loopback only, for a bounded time.
 *
 * Environment: BENCH_DURATION (s, default 10), BENCH_WARMUP (s, 3), BENCH_ROUNDS (3),
 * BENCH_CONNECTIONS (100), BENCH_WRITE=0 (print only: neither RESULTS.md nor the chart is
 * written), REDIS_URL (default redis://127.0.0.1:6379).
 */
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { runBench } from './common/run-bench';
import { commandLine } from './common/command-line';
import { verifyTarget } from './common/load';
import { measureStack } from './common/measure-stack';
import { packageVersion, repoRoot } from './common/machine';
import { cpuTable, disturbed, machineLines, writeSection } from './common/report';
import { loadLine, loadRunSettings } from './common/settings';
import { summarize } from './common/summary';
import { renderChart } from './peer/chart';
import { chartInput, interpretation, PEER_SETUP, resultsTable } from './peer/report';
import { NAMES, PeerStack, PROCESSES } from './peer/stack';

const CHART_FILE = 'peer-chart.svg';
/** Short names for the chart. */
const LABELS = { bare: 'bare reply-from proxy', peer: 'express-openid-connect peer', bff: 'our BFF' };
const PACKAGES = [
  'autocannon',
  'express',
  'express-openid-connect',
  'http-proxy-middleware',
  'connect-redis',
  'redis',
  '@fastify/reply-from',
];

const run = loadRunSettings();
const { load: settings, rounds, redisUrl } = run;
const root = repoRoot();
const stack = new PeerStack(redisUrl);

async function main(): Promise<void> {
  await stack.start();
  for (const target of stack.targets) await verifyTarget(target);
  await stack.verifyForwarding();
  const { results, refreshes, machine } = await measureStack(stack, settings, rounds, redisUrl);

  const rows = summarize(stack.targets, results, {
    baselines: { bare: NAMES.bare, peer: NAMES.peer },
    upstreamProcess: PROCESSES.upstream,
    cores: cpus().length,
  });
  const date = new Date().toISOString();
  const tables = [
    resultsTable(rows),
    'CPU per request (µs), by process, over all rounds:',
    cpuTable(rows),
    interpretation(rows, NAMES, refreshes),
  ].join('\n\n');
  console.log(`\n${tables}\n`);
  const header = [
    `- Date: ${date}`,
    `- Command: \`${commandLine('bench:peer')}\``,
    machineLines(machine, Object.fromEntries(PACKAGES.map((name) => [name, packageVersion(name)]))),
    loadLine(run),
  ].join('\n');
  const subtitle =
    `${String(settings.connections)} connections, median of ${String(rounds)} × ${String(settings.durationSeconds)} s ` +
    `· ${String(machine.cores)} cores, Node ${machine.node} · ${date.slice(0, 10)}` +
    (disturbed(rows) ? ' · disturbed by other work on the machine' : '');
  const chart = renderChart(chartInput(rows, NAMES, LABELS, subtitle));
  const body = [
    '## Peer (bench:peer)',
    header,
    `![bench:peer: req/s and p99 of the bare proxy, the express-openid-connect peer and the BFF](${CHART_FILE})`,
    tables,
    'How the peer is set up:',
    PEER_SETUP,
  ].join('\n\n');
  if (!run.write) {
    console.log('[bench] BENCH_WRITE=0: RESULTS.md and the chart left alone');
    return;
  }
  const file = join(root, 'bench', 'RESULTS.md');
  writeFileSync(join(root, 'bench', CHART_FILE), chart);
  await writeSection(file, 'bench:peer', body);
  console.log(`[bench] wrote ${file} and bench/${CHART_FILE}`);
}

// Generous: every target's warm-up and rounds half again, plus start-up and logins.
const perTarget = settings.warmupSeconds + rounds * settings.durationSeconds;
runBench(main, stack, 120 + 1.5 * Object.keys(NAMES).length * perTarget);
