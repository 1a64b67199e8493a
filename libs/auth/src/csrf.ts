import { CsrfHeaderMissingError } from '@bff/errors';

/**
 * Duende's anti-forgery header: `X-CSRF: 1`. A cross-site page cannot add a
 * custom header without a CORS preflight, which the BFF never grants.
 */
export function assertCsrfHeader(headers: Record<string, string | string[] | undefined>): void {
  if (headers['x-csrf'] !== '1') throw new CsrfHeaderMissingError();
}
