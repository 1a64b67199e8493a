import { join } from 'node:path';
import { spawnNode } from '../support/bff-process';

const DEMO = join(__dirname, '..', '..', 'scripts', 'demo.ts');

/** `npm run demo`'s DEMO_PROFILE switch, checked before anything is started (scripts/demo-profile.ts). */
describe('the demo’s DEMO_PROFILE', () => {
  it.each(['fapi1', 'FAPI2', 'true'])(
    'refuses DEMO_PROFILE=%s: exit 1, the variable and its values named, nothing started',
    async (value) => {
      const demo = spawnNode(['-r', '@swc-node/register', DEMO], { DEMO_PROFILE: value });
      expect((await demo.exited).code).toBe(1);
      expect(demo.output()).toContain(`DEMO_PROFILE must be default or fapi2 (or unset for default), got "${value}"`);
      // No child was started: their output lines are prefixed with their name.
      expect(demo.output()).not.toMatch(/^\[(dev-idp|demo-api|bff)\]/m);
    },
    20_000,
  );
});
