/**
 * `npm run bench:ab`: two builds of the BFF side by side, to tell whether a change made the BFF
 * faster. On a shared VM whose speed moves by up to 2× over tens of seconds, two rows of
 * bench:proxy measured a minute apart cannot show a change of a few percent; here the two BFFs
 * run at the same time on the same upstream, IdP and Redis, and are measured in short rounds
 * that alternate their order (A then B, B then A), each round giving one paired ratio.
 *
 * A is the build of a git revision (`BENCH_AB_REF`, default `HEAD`), checked out in a temporary
 * worktree with this checkout's node_modules; B is this checkout as it is, uncommitted changes
 * included. With `BENCH_AB_REF=HEAD` and a clean tree it is an A/A run: the spread two identical
 * processes show, which a difference must exceed before it means anything.
 *
 * Each round prints both throughputs and each BFF's own CPU per request, with a paired ratio of
 * each. Neither escapes the process-to-process spread (one process stays faster for every round):
 * on this 2-core host an A/A run gave a CPU median of 0.87, and one change measured twice gave 1.26
 * and 0.84. A single run cannot tell a change of 10-20%; believe only what repeated runs agree on.
 *
 * Both BFFs run as the headline row of bench:proxy does (production defaults, stdout drained),
 * or with `BENCH_AB_DPOP=1` both as its DPoP row (the dev IdP in FAPI 2.0 mode, a fresh proof per
 * request). `BENCH_AB_NODE_ARGS_A` / `_B` give one side Node flags (space-separated), to weigh a flag
 * on one build. Prints only. Environment: BENCH_AB_REF (HEAD), BENCH_AB_DPOP (0), BENCH_ROUNDS (12),
 * BENCH_DURATION (5 s), BENCH_WARMUP (3 s), BENCH_CONNECTIONS (100), REDIS_URL.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../test/support/free-port';
import { apiUrl, bffEnvironment, loginToBff } from './common/bff';
import { ServerGroup } from './common/children';
import { CpuMeter } from './common/cpu';
import { measure, warmUp, type Target } from './common/load';
import { repoRoot } from './common/machine';
import { JSON_1K_PATH } from './common/proxied-get';
import { runBench } from './common/run-bench';
import { intFromEnv } from './common/settings';
import { cpuPerRequest, range } from './common/summary';
import { ACCESS_TOKEN_TTL_SECONDS, serverScript } from './proxy/protocol';
import { dpopEnvironment } from './proxy/variants';

const REF = process.env.BENCH_AB_REF ?? 'HEAD';
const DPOP = process.env.BENCH_AB_DPOP === '1';
const ROUNDS = intFromEnv('BENCH_ROUNDS', 12, 2);
const settings = {
  connections: intFromEnv('BENCH_CONNECTIONS', 100, 1),
  warmupSeconds: intFromEnv('BENCH_WARMUP', 3, 0),
  durationSeconds: intFromEnv('BENCH_DURATION', 5, 1),
};
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const root = repoRoot();
const servers = new ServerGroup();
const CLIENT = { clientId: 'bff-ab', clientSecret: DPOP ? '' : 'bff-ab-secret' };

/** The revision built as bench:proxy builds this checkout; returns its folder (a worktree). */
function buildRevision(ref: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'bench-ab-'));
  execFileSync('git', ['worktree', 'add', '--detach', dir, ref], { cwd: root, stdio: 'ignore' });
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
  for (const tool of ['tsc', 'tsc-alias']) {
    execFileSync(join(root, 'node_modules', '.bin', tool), ['-p', 'tsconfig.bench.json'], {
      cwd: dir,
      stdio: 'inherit',
    });
  }
  return dir;
}

function removeRevision(dir: string): void {
  execFileSync('git', ['worktree', 'remove', '--force', dir], { cwd: root, stdio: 'ignore' });
  rmSync(dir, { recursive: true, force: true });
}

async function main(revisionDir: string): Promise<void> {
  const builds = { A: join(revisionDir, 'dist-bench'), B: join(root, 'dist-bench') };
  const upstream = await servers.start('upstream', serverScript('upstream'), {});
  const ports = { A: await freePort(), B: await freePort() };
  const idp = await servers.start('idp', serverScript('idp'), {
    ...CLIENT,
    bffUrls: [ports.A, ports.B].map((port) => `http://localhost:${String(port)}`),
    accessTokenTtlSeconds: ACCESS_TOKEN_TTL_SECONDS,
    fapi2: DPOP,
  });
  const sessionSecret = randomBytes(32).toString('base64url');
  // One client key for both: the FAPI IdP reads the client's JWKS from the first BFF.
  const fapi = DPOP ? dpopEnvironment({}) : {};
  const targets: Target[] = [];
  for (const name of ['A', 'B'] as const) {
    const env = {
      ...bffEnvironment({
        ...CLIENT,
        port: ports[name],
        issuer: idp.url,
        upstream: upstream.url,
        sessionSecret,
        cacheMs: 1000,
        redisUrl,
      }),
      ...fapi,
    };
    if (DPOP) delete env.OIDC_CLIENT_SECRET;
    const script = join(builds[name], 'bench', 'proxy', 'servers', 'bff.js');
    const execArgv = (process.env[`BENCH_AB_NODE_ARGS_${name}`] ?? '').split(' ').filter(Boolean);
    const bff = await servers.start(name, script, { logs: 'defaults' }, { env, execArgv, stdout: 'drain' });
    targets.push({ name, url: apiUrl(bff.url, JSON_1K_PATH), headers: await loginToBff(bff), process: name });
  }
  for (const target of targets) await warmUp(target, settings);
  const meter = new CpuMeter(servers.servers, redisUrl);
  const ratios: number[] = [];
  const cpuRatios: number[] = [];
  try {
    for (let round = 0; round < ROUNDS; round += 1) {
      const order = round % 2 === 0 ? targets : [...targets].reverse();
      const rps: Record<string, number> = {};
      const cpu: Record<string, number> = {};
      for (const target of order) {
        const run = await measure(target, settings, round, meter);
        rps[target.name] = run.requestsPerSecond;
        // The BFF's own CPU per request, as bench:proxy's tables count it.
        cpu[target.name] = cpuPerRequest([run], target, upstream.name, cpus().length).proxy ?? 0;
      }
      const ratio = (rps.B ?? 0) / (rps.A ?? 1);
      const cpuRatio = (cpu.A ?? 0) / (cpu.B ?? 1);
      ratios.push(ratio);
      cpuRatios.push(cpuRatio);
      console.log(
        `[ab] round ${String(round + 1)}: A ${(rps.A ?? 0).toFixed(0)} req/s ${(cpu.A ?? 0).toFixed(1)} µs CPU, ` +
          `B ${(rps.B ?? 0).toFixed(0)} req/s ${(cpu.B ?? 0).toFixed(1)} µs CPU, B/A ${ratio.toFixed(3)}, CPU A/B ${cpuRatio.toFixed(3)}`,
      );
    }
  } finally {
    meter.close();
  }
  const faster = ratios.filter((ratio) => ratio > 1).length;
  const { median, min, max } = range(ratios);
  const cpuRange = range(cpuRatios);
  console.log(
    `\nA = ${REF}, B = this checkout${DPOP ? ' (both with DPoP)' : ''}: B/A median ${median.toFixed(3)} ` +
      `(${min.toFixed(3)}–${max.toFixed(3)}), B faster in ${String(faster)} of ${String(ROUNDS)} rounds; ` +
      `CPU per request A/B median ${cpuRange.median.toFixed(3)} (${cpuRange.min.toFixed(3)}–${cpuRange.max.toFixed(3)}).`,
  );
  await servers.stop();
}

const revision = buildRevision(REF);
const perRound = 2 * settings.durationSeconds;
runBench(
  () => main(revision).finally(() => removeRevision(revision)),
  servers,
  180 + 2 * settings.warmupSeconds + ROUNDS * perRound * 1.5,
);
