/** What the config specs (libs/config) share: a valid minimal environment and the problems a load reports. */
import { ConfigValidationError } from '@bff/config';

/** The least a BFF boots with: an issuer, a client with a secret, a session secret. */
export const VALID_ENV = {
  OIDC_ISSUER: 'http://localhost:4000',
  OIDC_CLIENT_ID: 'bff',
  OIDC_CLIENT_SECRET: 'secret',
  SESSION_SECRET: 'x'.repeat(32),
};

/** Every problem `load` (loadConfig or configFromOptions) reports at once; fails the test if it loads. */
export function configProblems(load: () => unknown): string[] {
  try {
    load();
  } catch (error) {
    if (error instanceof ConfigValidationError) return error.problems;
    throw error;
  }
  throw new Error('expected the configuration to be refused');
}
