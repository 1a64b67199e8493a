import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderConfigReference } from './config-reference';

const START = '<!-- config-reference:start -->';
const END = '<!-- config-reference:end -->';

describe('the configuration reference in docs/configuration.md', () => {
  it('is exactly what the config classes declare (regenerate with `npm run docs:config`)', () => {
    const page = readFileSync(join(__dirname, '../../../docs/configuration.md'), 'utf8');
    const start = page.indexOf(START);
    const end = page.indexOf(END);
    expect(start).toBeGreaterThan(-1);
    expect(end).toBeGreaterThan(start);
    expect(page.slice(start + START.length, end).trim()).toBe(renderConfigReference().trim());
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
