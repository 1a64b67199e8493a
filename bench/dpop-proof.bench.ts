/**
 * `npm run bench:dpop`: what a DPoP proof (RFC 9449) costs the BFF per proxied request, in µs of
 * CPU, for ES256 and EdDSA keys of `@bff/dpop`, against baselines measured in the same run:
 *   - `JSON.stringify` of the proof's claims (what building the claims costs at the least),
 *   - one HMAC-SHA256 of the signing input (a symmetric MAC, the cheapest "signature"),
 *   - one raw `crypto.sign` of the signing input (the asymmetric signature alone).
 * `proof()` is measured with the access token of a session repeated (its `ath` memoised) and
 * with a new token every call; `proofAsync()` (signed on libuv's thread pool) by the event
 * loop's busy time per proof and by the process's CPU. `verifyDpopProof` is what a resource
 * server (apps/demo-api) pays per request.
 *
 * The estimated throughput factor assumes the BFF is CPU-bound on one event loop, so throughput
 * follows 1 / (CPU per request): factor = R / (R + proof), R being the BFF's CPU per proxied
 * request without DPoP (BENCH_DPOP_REQUEST_US; default 101 µs, bench:proxy's figure for the BFF
 * with its session cache in bench/RESULTS.md). The budget of issue #13 is a factor ≥ 0.75.
 *
 * Prints only; writes no file. Environment: BENCH_ROUNDS (5), BENCH_DPOP_ITERATIONS (20000 per
 * round and case), BENCH_DPOP_REQUEST_US (101).
 */
import { createHmac, createPrivateKey, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { DpopKey, MemoryDpopReplayCache, verifyDpopProof } from '@bff/dpop';
import type { DpopAlgorithm } from '@bff/dpop';
import { commandLine } from './common/command-line';
import { intFromEnv } from './common/settings';
import { median } from './common/summary';

const ROUNDS = intFromEnv('BENCH_ROUNDS', 5, 1);
const ITERATIONS = intFromEnv('BENCH_DPOP_ITERATIONS', 20_000, 100);
const REQUEST_US = intFromEnv('BENCH_DPOP_REQUEST_US', 101, 1);
const BUDGET = 0.75;

const HTU = 'http://localhost:4001/orders/42';
// A JWT access token of the dev IdP's size (RS256, a dozen claims): about 900 characters.
const ACCESS_TOKEN = `eyJhbGciOiJSUzI1NiIsInR5cCI6ImF0K2p3dCIsImtpZCI6ImsxIn0.${'x'.repeat(560)}.${'s'.repeat(342)}`;
const NONCE = 'eyJ7S_zG.eyJH0-Z.HX4w-7v';

/** Per-op figures of one case: CPU of the whole process, and the event loop's busy time. */
interface Sample {
  cpuUs: number;
  loopUs: number;
}

interface Case {
  name: string;
  /** Sets up `n` runs, outside the measurement. */
  prepare?(n: number): void;
  /** Runs the case `n` times; resolves once every run finished. */
  run(n: number): void | Promise<void>;
}

async function measure(c: Case, n: number): Promise<Sample> {
  c.prepare?.(n);
  const loop = performance.eventLoopUtilization();
  const cpu = process.cpuUsage();
  await c.run(n);
  const used = process.cpuUsage(cpu);
  const busy = performance.eventLoopUtilization(loop);
  return { cpuUs: (used.user + used.system) / n, loopUs: (busy.active * 1000) / n };
}

/** Runs `n` async operations with at most 64 in flight, as concurrent requests would. */
async function inFlight(n: number, op: () => Promise<unknown>): Promise<void> {
  let started = 0;
  const worker = async (): Promise<void> => {
    while (started < n) {
      started++;
      await op();
    }
  };
  await Promise.all(Array.from({ length: Math.min(64, n) }, worker));
}

function claimsOf(jti: string) {
  return { jti, htm: 'GET', htu: HTU, iat: Math.floor(Date.now() / 1000), ath: 'a'.repeat(43), nonce: NONCE };
}

function cases(): Case[] {
  const keys = Object.fromEntries((['ES256', 'EdDSA'] as const).map((alg) => [alg, DpopKey.generate(alg)])) as Record<
    DpopAlgorithm,
    DpopKey
  >;
  const signingInput = Buffer.from(keys.ES256.proof({ htm: 'GET', htu: HTU, accessToken: ACCESS_TOKEN, nonce: NONCE }));
  const es256Key = privateKeyObject(keys.ES256);
  const ed25519Key = privateKeyObject(keys.EdDSA);
  const tokens = Array.from({ length: 1024 }, (_, i) => `${ACCESS_TOKEN}${String(i)}`);
  const proofFor = (alg: DpopAlgorithm) => () =>
    keys[alg].proof({ htm: 'GET', htu: HTU, accessToken: ACCESS_TOKEN, nonce: NONCE });
  const repeat = (op: () => unknown) => (n: number) => {
    for (let i = 0; i < n; i++) op();
  };

  const verifierCache = new MemoryDpopReplayCache(ITERATIONS * 2);
  let proofs: string[] = [];
  return [
    {
      name: 'baseline: JSON.stringify of the claims',
      run: repeat(() => JSON.stringify(claimsOf('abcdefghijklmnopqrstuv'))),
    },
    {
      name: 'baseline: HMAC-SHA256 of the signing input',
      run: repeat(() => createHmac('sha256', 'k').update(signingInput).digest()),
    },
    {
      name: 'crypto.sign ES256 alone',
      run: repeat(() => sign('sha256', signingInput, { key: es256Key, dsaEncoding: 'ieee-p1363' })),
    },
    { name: 'crypto.sign Ed25519 alone', run: repeat(() => sign(null, signingInput, ed25519Key)) },
    { name: 'proof() ES256, session token (ath memoised)', run: repeat(proofFor('ES256')) },
    { name: 'proof() EdDSA, session token (ath memoised)', run: repeat(proofFor('EdDSA')) },
    {
      name: 'proof() ES256, a new token every call',
      run: (n) => {
        for (let i = 0; i < n; i++)
          keys.ES256.proof({ htm: 'GET', htu: HTU, accessToken: tokens[i % tokens.length] ?? '' });
      },
    },
    {
      name: 'proofAsync() ES256 (thread pool)',
      run: (n) =>
        inFlight(n, () => keys.ES256.proofAsync({ htm: 'GET', htu: HTU, accessToken: ACCESS_TOKEN, nonce: NONCE })),
    },
    {
      name: 'proofAsync() EdDSA (thread pool)',
      run: (n) =>
        inFlight(n, () => keys.EdDSA.proofAsync({ htm: 'GET', htu: HTU, accessToken: ACCESS_TOKEN, nonce: NONCE })),
    },
    {
      name: 'verifyDpopProof ES256 (resource server)',
      prepare: (n) => {
        proofs = Array.from({ length: n }, proofFor('ES256'));
      },
      run: async () => {
        for (const proof of proofs) {
          await verifyDpopProof({ proof, htm: 'GET', htu: HTU, accessToken: ACCESS_TOKEN, replayCache: verifierCache });
        }
      },
    },
  ];
}

/** The key as a KeyObject, through its private JWK (the one way key material leaves a DpopKey). */
function privateKeyObject(key: DpopKey): KeyObject {
  const { alg: _alg, ...material } = key.toPrivateJwk();
  return createPrivateKey({ key: material, format: 'jwk' });
}

async function main(): Promise<void> {
  const all = cases();
  for (const c of all) await measure(c, Math.min(2000, ITERATIONS)); // warm-up: JIT, key caches
  const samples = new Map<string, Sample[]>(all.map((c) => [c.name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const c of all) samples.get(c.name)?.push(await measure(c, ITERATIONS));
  }
  const cpu = (name: string) => median((samples.get(name) ?? []).map((s) => s.cpuUs));
  const loop = (name: string) => median((samples.get(name) ?? []).map((s) => s.loopUs));
  const json = cpu(all[0]?.name ?? '');
  const hmac = cpu(all[1]?.name ?? '');

  const rows = all.map((c) => {
    const cpuUs = cpu(c.name);
    const loopUs = loop(c.name);
    const factor = REQUEST_US / (REQUEST_US + loopUs);
    return [
      c.name,
      cpuUs.toFixed(1),
      loopUs.toFixed(1),
      (cpuUs / hmac).toFixed(1),
      (cpuUs / json).toFixed(0),
      factor.toFixed(2),
    ];
  });
  const header = [
    'case',
    'CPU µs/op',
    'event loop µs/op',
    '× HMAC',
    '× JSON.stringify',
    `BFF factor at ${String(REQUEST_US)} µs`,
  ];
  console.log(
    [
      `- Date: ${new Date().toISOString()}`,
      `- Command: \`${commandLine('bench:dpop')}\``,
      `- Machine: ${cpus()[0]?.model ?? 'unknown'}, ${String(cpus().length)} cores; Node ${process.version}, OpenSSL ${process.versions.openssl}`,
      `- ${String(ROUNDS)} rounds × ${String(ITERATIONS)} operations per case, medians; one process, no other load of ours.`,
      '',
      table(header, rows),
      '',
      verdict(cpu, loop),
    ].join('\n'),
  );
}

function verdict(cpu: (name: string) => number, loop: (name: string) => number): string {
  const lines = (['ES256', 'EdDSA'] as const).map((alg) => {
    const name = `proof() ${alg}, session token (ath memoised)`;
    const factor = REQUEST_US / (REQUEST_US + cpu(name));
    const verdictText = factor >= BUDGET ? 'within' : 'outside';
    return `- ${alg}: ${cpu(name).toFixed(1)} µs per proof → an estimated ${factor.toFixed(2)}× throughput, ${verdictText} the ${String(BUDGET)}× budget.`;
  });
  const async = loop('proofAsync() ES256 (thread pool)');
  lines.push(
    `- proofAsync() ES256 keeps ${async.toFixed(1)} µs per proof on the event loop (→ ${(REQUEST_US / (REQUEST_US + async)).toFixed(2)}×) while the signature runs on the thread pool, given a free core.`,
  );
  return lines.join('\n');
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    `| ${cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join(' | ')} |`;
  const rule = `| ${widths.map((w, i) => (i === 0 ? '-'.repeat(w) : `${'-'.repeat(w - 1)}:`)).join(' | ')} |`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
