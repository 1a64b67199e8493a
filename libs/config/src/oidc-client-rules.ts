import { readClientKeys } from './client-keys';
import type { OidcConfig } from './oidc.config';

/** The ID token algorithms FAPI 2.0 allows (FAPI 2.0 Security Profile §5.4). */
export const FAPI2_ID_TOKEN_ALGS: readonly string[] = ['PS256', 'ES256', 'EdDSA'];

type GivenOidc = Partial<Record<keyof OidcConfig, unknown>>;

/**
 * `OIDC_PROFILE=fapi2` is one switch: the settings it needs are turned on where they were
 * left unset, and one set to anything else is a problem naming it. Runs before validation,
 * on the options as given (so an unset variable can be told from one set to its default).
 */
export function applyOidcProfile(oidc: OidcConfig, given: GivenOidc, problems: string[]): void {
  if (oidc.profile !== 'fapi2') return;
  const turnOn = <K extends 'par' | 'clientAuthMethod' | 'dpop'>(
    property: K,
    variable: string,
    value: OidcConfig[K],
  ): void => {
    if (given[property] === undefined) oidc[property] = value;
    else if (given[property] !== value) {
      problems.push(
        `${variable}: must be ${String(value)} with OIDC_PROFILE=fapi2 (FAPI 2.0 requires it; leave it unset and the profile turns it on)`,
      );
    }
  };
  turnOn('par', 'OIDC_PAR', 'always');
  turnOn('clientAuthMethod', 'OIDC_CLIENT_AUTH_METHOD', 'private_key_jwt');
  turnOn('dpop', 'OIDC_DPOP', true);
  if (oidc.idTokenSigningAlg !== undefined && !FAPI2_ID_TOKEN_ALGS.includes(oidc.idTokenSigningAlg)) {
    problems.push(
      `OIDC_ID_TOKEN_SIGNING_ALG: must be PS256, ES256 or EdDSA with OIDC_PROFILE=fapi2 (FAPI 2.0 refuses ${oidc.idTokenSigningAlg} ID tokens)`,
    );
  }
}

/** The client-authentication rules across variables: the secret or the key the method needs, a readable key. */
export function checkClientAuthentication(oidc: OidcConfig, problems: string[]): void {
  if (oidc.clientPrivateKey === undefined || oidc.clientPrivateKey.trim() === '') {
    if (oidc.clientAuthMethod === 'private_key_jwt') {
      problems.push(
        'OIDC_CLIENT_PRIVATE_KEY: is required with private_key_jwt (a PKCS#8 PEM, a private JWK or a JWK Set)',
      );
    }
    if (oidc.clientKeyId !== undefined) problems.push('OIDC_CLIENT_KEY_ID: is set but OIDC_CLIENT_PRIVATE_KEY is not');
    return;
  }
  // Checked whenever it is set, also before the switch to private_key_jwt: a key staged for a
  // later deploy fails now, not then.
  const read = readClientKeys(oidc.clientPrivateKey, oidc.clientKeyId);
  if ('problems' in read) problems.push(...read.problems);
}
