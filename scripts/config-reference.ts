/**
 * Rewrites the configuration reference in docs/configuration.md from the config classes:
 * `npm run docs:config`. A unit test fails when the two differ.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderConfigReference } from '@bff/config';

const START = '<!-- config-reference:start -->';
const END = '<!-- config-reference:end -->';
// Run from the sources (scripts/, `npm run docs:config`) or compiled (dist/scripts/).
const root = existsSync(join(__dirname, '..', 'docs')) ? join(__dirname, '..') : join(__dirname, '..', '..');
const path = join(root, 'docs', 'configuration.md');
const page = readFileSync(path, 'utf8');
const start = page.indexOf(START);
const end = page.indexOf(END);
if (start === -1 || end < start) throw new Error(`docs/configuration.md has no ${START} … ${END} markers`);
writeFileSync(path, `${page.slice(0, start + START.length)}\n\n${renderConfigReference()}\n${page.slice(end)}`);
console.log('docs/configuration.md configuration reference updated');
