/**
 * Rewrites the configuration reference in README.md from the config classes:
 * `npm run docs:config`. A unit test fails when the two differ.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderConfigReference } from '@bff/config';

const START = '<!-- config-reference:start -->';
const END = '<!-- config-reference:end -->';
const path = join(__dirname, '../../README.md');
const readme = readFileSync(path, 'utf8');
const start = readme.indexOf(START);
const end = readme.indexOf(END);
if (start === -1 || end < start) throw new Error(`README.md has no ${START} … ${END} markers`);
writeFileSync(path, `${readme.slice(0, start + START.length)}\n\n${renderConfigReference()}\n${readme.slice(end)}`);
console.log('README.md configuration reference updated');
