import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const ROOT = join(__dirname, '..', '..');
const run = promisify(execFile);

/**
 * Builds the demo SPA as `npm run build:spa` does (the browser tsconfig, then the
 * assembly script) and returns the directory to serve as BFF_STATIC_DIR.
 */
export async function buildDemoSpa(): Promise<string> {
  const options = { cwd: ROOT, timeout: 120_000 };
  await run(
    process.execPath,
    [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.browser.json'],
    options,
  );
  await run(process.execPath, [join(ROOT, 'apps', 'demo-spa', 'assemble.mjs')], options);
  return join(ROOT, 'dist', 'demo-spa');
}
