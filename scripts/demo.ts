/**
 * `npm run demo`: starts the dev IdP, the demo API and the BFF as child processes sharing one
 * environment: the demo defaults below and those of the profile (`DEMO_PROFILE`, see
 * demo-profile.ts), each replaced by the caller's variable of the same name
 * (docs/configuration.md, "The demo's own variables"). Ctrl-C stops all three.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { demoProfileFrom, describeProfile, profileEnvironment, type DemoProfile } from './demo-profile';

const ROOT = join(__dirname, '..', '..');
const STARTUP_TIMEOUT_MS = 30_000;
const POLL_INTERVAL_MS = 250;
const REQUEST_TIMEOUT_MS = 2_000;
const STOP_TIMEOUT_MS = 10_000;

interface Child {
  name: string;
  process: ChildProcess;
  closed: Promise<void>;
}

const children: Child[] = [];
let stopping = false;

function portFrom(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`${name} must be a port number (1-65535) for the demo, got "${raw}"`);
  }
  return port;
}

interface DemoPorts {
  PORT: number;
  DEV_IDP_PORT: number;
  DEMO_API_PORT: number;
}

function demoPorts(given: NodeJS.ProcessEnv): DemoPorts {
  return {
    PORT: portFrom(given, 'PORT', 3000),
    DEV_IDP_PORT: portFrom(given, 'DEV_IDP_PORT', 4000),
    DEMO_API_PORT: portFrom(given, 'DEMO_API_PORT', 4001),
  };
}

/** The demo's environment; URLs follow the ports unless the caller sets them too. */
function demoEnvironment(
  given: NodeJS.ProcessEnv,
  ports: DemoPorts,
  profile: Record<string, string>,
): NodeJS.ProcessEnv {
  const { PORT: bffPort, DEV_IDP_PORT: idpPort, DEMO_API_PORT: apiPort } = ports;
  const apiUrl = `http://localhost:${String(apiPort)}`;
  const defaults: Record<string, string> = {
    PORT: String(bffPort),
    BFF_PUBLIC_URL: `http://localhost:${String(bffPort)}`,
    // Built by `npm run build` (build:spa): the demo SPA with the compiled browser client.
    BFF_STATIC_DIR: join(ROOT, 'dist', 'demo-spa'),
    BFF_DEV_INSECURE_COOKIES: 'true',
    // One demo API, three token policies (and a step-up route, `sensitive`): the user's token (demo), the user's token exchanged for
    // the reports audience (RFC 8693), and the BFF's own client-credentials token (no user needed).
    // The dev IdP serves both audiences: DEMO_API_URL and DEMO_API_URL/reports.
    BFF_ROUTES: JSON.stringify([
      { name: 'demo', upstream: apiUrl, token: 'user' },
      { name: 'reports', upstream: `${apiUrl}/reports`, token: 'exchange', audience: `${apiUrl}/reports` },
      { name: 'public', upstream: `${apiUrl}/public`, token: 'client', resource: apiUrl },
      // Step-up: only a session with the dev IdP's second factor (the demo code) gets through.
      { name: 'sensitive', upstream: apiUrl, token: 'user', acr: ['urn:dev-idp:mfa'] },
    ]),
    BFF_INTERNAL_TOKEN: 'demo-internal-token-change-me',
    BFF_INTERNAL_URL: `http://localhost:${String(bffPort)}`,
    OIDC_ISSUER: `http://localhost:${String(idpPort)}`,
    OIDC_CLIENT_ID: 'bff-demo',
    // DEMO ONLY: a published, fixed key. Any real deployment sets its own (openssl rand -base64 48).
    SESSION_SECRET: 'demo-only-session-secret-published-in-the-repo-never-use-it',
    DEV_IDP_PORT: String(idpPort),
    DEV_IDP_ACCESS_TOKEN_TTL: '60',
    DEMO_API_PORT: String(apiPort),
    DEMO_API_URL: apiUrl,
    DEMO_API_AUDIENCE: apiUrl,
    ...profile,
  };
  return { ...defaults, ...given };
}

/** Fails fast with a message naming the variable, before anything is started. */
function assertPortFree(name: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) => {
      const why =
        error.code === 'EADDRINUSE' ? 'is already in use' : `cannot be opened (${error.code ?? error.message})`;
      reject(new Error(`port ${String(port)} (${name}) ${why}: stop what uses it or set ${name}=<another port>`));
    });
    probe.listen(port, () => probe.close(() => resolve()));
  });
}

function prefixLines(from: Readable, to: Writable, name: string): void {
  createInterface({ input: from, crlfDelay: Infinity }).on('line', (line) => to.write(`[${name}] ${line}\n`));
}

function startChild(name: string, app: string, env: NodeJS.ProcessEnv): void {
  const main = join(ROOT, 'dist', 'apps', app, 'src', 'main.js');
  const child = spawn(process.execPath, ['--enable-source-maps', main], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  prefixLines(child.stdout, process.stdout, name);
  prefixLines(child.stderr, process.stderr, name);
  child.once('error', (error) => void fail(`${name} could not be started: ${error.message}`));
  // 'close' comes after the child's last output line, so its own error message is printed first.
  const closed = new Promise<void>((resolve) => {
    child.once('close', (code, signal) => {
      resolve();
      if (!stopping) void fail(`${name} exited unexpectedly (${signal ?? `exit code ${String(code)}`})`);
    });
  });
  children.push({ name, process: child, closed });
}

/** Sends SIGTERM to every child still running and waits for them, SIGKILL after the bound. */
async function stopChildren(): Promise<void> {
  stopping = true;
  const running = children.filter((c) => c.process.exitCode === null && c.process.signalCode === null);
  for (const child of running) child.process.kill('SIGTERM');
  const timer = setTimeout(() => {
    for (const child of running) {
      console.error(`[demo] ${child.name} did not stop within ${String(STOP_TIMEOUT_MS / 1000)} s; killing it`);
      child.process.kill('SIGKILL');
    }
  }, STOP_TIMEOUT_MS);
  await Promise.all(running.map((c) => c.closed));
  clearTimeout(timer);
}

/** Stops everything and exits 1; a no-op once a stop is under way (that stop decides the exit code). */
async function fail(message: string): Promise<void> {
  if (stopping) return;
  console.error(`\n[demo] ${message}${children.length > 0 ? '; stopping the demo' : ''}.`);
  await stopChildren();
  process.exit(1);
}

/** Polls `url` until `isUp` accepts a response; every request and the whole wait are bounded. */
async function waitFor(
  what: string,
  url: string,
  isUp: (res: Response) => boolean,
  headers: Record<string, string> = {},
): Promise<void> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url, { headers, redirect: 'manual', signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
      await res.body?.cancel();
      if (isUp(res)) return;
      last = `HTTP ${String(res.status)}`;
    } catch (error) {
      last =
        error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
  throw new Error(`${what} did not answer at ${url} within ${String(STARTUP_TIMEOUT_MS / 1000)} s (last: ${last})`);
}

function printBanner(env: NodeJS.ProcessEnv, profile: DemoProfile): void {
  const sessions = env.REDIS_URL
    ? 'Redis (REDIS_URL)'
    : 'in memory, one instance only (set REDIS_URL=redis://... to use Redis)';
  const lines = [
    'BFF demo is running',
    '',
    `  Open      ${String(env.BFF_PUBLIC_URL).replace(/\/+$/, '')}/`,
    '  Users     alice / alice    bob / bob',
    `  Profile   ${describeProfile(profile)}`,
    `  Sessions  ${sessions}`,
    `  Dev IdP   ${String(env.OIDC_ISSUER)}    demo API ${String(env.DEMO_API_URL)}`,
    '            (as /api/demo/*, /api/reports/* by token exchange, /api/public/* with the BFF token,',
    '             /api/sensitive/* after a second factor: the demo code 123456)',
    '  Stop      Ctrl-C',
  ];
  const rule = '='.repeat(Math.max(...lines.map((l) => l.length)) + 2);
  console.log(['', rule, ...lines.map((l) => (l ? ` ${l}` : '')), rule, ''].join('\n'));
}

async function main(): Promise<void> {
  const profile = demoProfileFrom(process.env);
  const ports = demoPorts(process.env);
  const extra = profileEnvironment(profile);
  const env = demoEnvironment(process.env, ports, extra.shared);
  // The BFF's private key (fapi2) is the BFF's alone, unless the caller gave one to all.
  const bffEnv = { ...extra.bff, ...env };
  for (const name of ['DEV_IDP_PORT', 'DEMO_API_PORT', 'PORT'] as const) await assertPortFree(name, ports[name]);

  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    console.log(`\n[demo] ${signal}: stopping the demo...`);
    void stopChildren().then(() => process.exit(0));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  startChild('dev-idp', 'dev-idp', env);
  const discovery = `http://localhost:${String(ports.DEV_IDP_PORT)}/.well-known/openid-configuration`;
  await waitFor('the dev IdP', discovery, (res) => res.status === 200);
  startChild('demo-api', 'demo-api', env);
  startChild('bff', 'bff', bffEnv);
  // Any HTTP answer below 500 means the BFF is up (/auth/user without a session is 401).
  const user = `http://localhost:${String(ports.PORT)}/auth/user`;
  await waitFor('the BFF', user, (res) => res.status < 500, { 'x-csrf': '1' });
  if (!stopping) printBanner(env, profile);
}

main().catch((error: unknown) => void fail(error instanceof Error ? error.message : String(error)));
