import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const ROOT = join(__dirname, '..', '..');
const run = promisify(execFile);

/**
 * Builds the demo SPA as `npm run build:spa` does (the browser tsconfig, then the
 * assembly script), into a fresh folder of its own so that test files building at
 * the same time never share one, and returns the directory to serve as BFF_STATIC_DIR
 * (its parent is the build's own folder: remove that when done).
 */
export async function buildDemoSpa(): Promise<string> {
  const out = await mkdtemp(join(tmpdir(), 'bff-demo-spa-'));
  const options = { cwd: ROOT, timeout: 120_000 };
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  await run(process.execPath, [tsc, '-p', 'tsconfig.browser.json', '--outDir', join(out, 'browser')], options);
  await run(process.execPath, [join(ROOT, 'apps', 'demo-spa', 'assemble.mjs'), out], options);
  return join(out, 'demo-spa');
}
