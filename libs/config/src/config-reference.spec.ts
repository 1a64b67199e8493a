import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderConfigReference } from './config-reference';

const START = '<!-- config-reference:start -->';
const END = '<!-- config-reference:end -->';

describe('the README configuration reference', () => {
  it('is exactly what the config classes declare (regenerate with `npm run docs:config`)', () => {
    const readme = readFileSync(join(__dirname, '../../../README.md'), 'utf8');
    const start = readme.indexOf(START);
    const end = readme.indexOf(END);
    expect(start).toBeGreaterThan(-1);
    expect(end).toBeGreaterThan(start);
    expect(readme.slice(start + START.length, end).trim()).toBe(renderConfigReference().trim());
  });

  it('names every variable with its section', () => {
    const reference = renderConfigReference();
    for (const name of [
      'PORT',
      'BFF_PUBLIC_URL',
      'OIDC_ISSUER',
      'SESSION_SECRET',
      'SESSION_CACHE_MS',
      'REDIS_URL',
      'BFF_ROUTES',
    ]) {
      expect(reference).toContain(`| \`${name}\` |`);
    }
  });
});
