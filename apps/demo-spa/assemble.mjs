// Second step of `npm run build:spa`, after `tsc -p tsconfig.browser.json` compiled the browser
// code to dist/browser/ (or <out>/browser with `node assemble.mjs <out>`). Lays out:
//
//   dist/demo-spa/           what BFF_STATIC_DIR serves in the demo
//     index.html app.css favicon.svg   apps/demo-spa/public/
//     app.js and its modules           apps/demo-spa/src/, compiled
//     client/                          libs/client, compiled (the page imports ./client/index.js)
//   dist/client/             the client alone, ES modules for any page (import ./client/index.js)
//
// No bundler: the browser loads the modules as they are; the client's imports carry `.js`.
import { cpSync, existsSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
// The output folder: dist/ by default; the browser tests pass a folder of their own, so that
// test files building at once never share one.
const out = process.argv[2] ?? join(root, 'dist');
const compiled = join(out, 'browser');
const spa = join(out, 'demo-spa');
const client = join(out, 'client');

for (const dir of [spa, client]) rmSync(dir, { recursive: true, force: true });
cpSync(join(compiled, 'libs', 'client', 'src'), client, { recursive: true });
cpSync(join(root, 'apps', 'demo-spa', 'public'), spa, { recursive: true });
cpSync(join(compiled, 'apps', 'demo-spa', 'src'), spa, { recursive: true });
cpSync(client, join(spa, 'client'), { recursive: true });
// The package is CommonJS; its `nest-bff/client` entry is ES modules, so that folder says so.
writeFileSync(join(client, 'package.json'), '{ "type": "module" }\n');
rmSync(compiled, { recursive: true, force: true });

const missing = ['index.html', 'app.css', 'favicon.svg', 'app.js', 'client/index.js'].filter(
  (file) => !existsSync(join(spa, file)),
);
if (missing.length > 0) {
  console.error(`build:spa: ${spa} lacks ${missing.join(', ')}`);
  process.exit(1);
}
