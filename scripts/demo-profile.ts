/**
 * `DEMO_PROFILE`: how `npm run demo` runs the dev IdP, the BFF and the demo API. `default` (or
 * unset) is the classic confidential client with Bearer tokens; `fapi2` runs all three in FAPI 2.0
 * mode (docs/dpop.md, "The demo in FAPI 2.0 mode").
 */
import { generateKeyPairSync } from 'node:crypto';

export const DEMO_PROFILES = ['default', 'fapi2'] as const;
export type DemoProfile = (typeof DEMO_PROFILES)[number];

/** The profile `DEMO_PROFILE` names; any other value is an error that names the variable. */
export function demoProfileFrom(env: NodeJS.ProcessEnv): DemoProfile {
  const raw = env.DEMO_PROFILE;
  if (raw === undefined || raw === '' || raw === 'default') return 'default';
  if (raw === 'fapi2') return 'fapi2';
  throw new Error(`DEMO_PROFILE must be ${DEMO_PROFILES.join(' or ')} (or unset for default), got "${raw}"`);
}

/** What a profile adds to the demo's defaults: for every process, and for the BFF alone. */
export interface ProfileEnvironment {
  shared: Record<string, string>;
  /** The BFF's own: its client private key, which no other process needs to see. */
  bff: Record<string, string>;
}

/**
 * FAPI 2.0: the dev IdP requires PAR and a proof on every token request (its tokens are all
 * DPoP-bound) and authenticates the BFF by `private_key_jwt` with the keys the BFF publishes at
 * `/auth/jwks`; the BFF runs `OIDC_PROFILE=fapi2` with a P-256 key made for this run only (never
 * written anywhere, so nothing to leak from the repository); the demo API requires its nonce.
 */
export function profileEnvironment(profile: DemoProfile): ProfileEnvironment {
  if (profile === 'default') {
    return { shared: { OIDC_CLIENT_SECRET: 'bff-demo-secret-change-me' }, bff: {} };
  }
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    shared: {
      DEV_IDP_PROFILE: 'fapi2',
      DEV_IDP_DPOP_BOUND_ACCESS_TOKENS: 'true',
      OIDC_PROFILE: 'fapi2',
      DEMO_API_DPOP_NONCE: 'true',
    },
    bff: { OIDC_CLIENT_PRIVATE_KEY: privateKey.export({ format: 'pem', type: 'pkcs8' }) as string },
  };
}

/** The banner's line about the profile. */
export function describeProfile(profile: DemoProfile): string {
  return profile === 'fapi2'
    ? 'fapi2: FAPI 2.0 (PAR, private_key_jwt with a key made for this run, DPoP-bound tokens, API nonces)'
    : 'default: client secret, Bearer tokens (DEMO_PROFILE=fapi2 for FAPI 2.0)';
}
