import { tracedFetch, type BffTracing } from '@bff/tracing';
import type * as oidc from 'openid-client';

/** What a call to the provider does, by endpoint (and grant type at the token endpoint). */
export type IdpOperation =
  | 'discovery'
  | 'jwks'
  | 'par'
  | 'revocation'
  | 'userinfo'
  | 'authorization_code'
  | 'refresh_token'
  | 'client_credentials'
  | 'token_exchange'
  | 'token'
  | 'other';

const GRANT_OPERATIONS = new Map<string, IdpOperation>([
  ['authorization_code', 'authorization_code'],
  ['refresh_token', 'refresh_token'],
  ['client_credentials', 'client_credentials'],
  ['urn:ietf:params:oauth:grant-type:token-exchange', 'token_exchange'],
]);

function sameEndpoint(url: URL, endpoint: unknown): boolean {
  return (
    typeof endpoint === 'string' && URL.canParse(endpoint) && new URL(endpoint).href === `${url.origin}${url.pathname}`
  );
}

/**
 * Names a call to the provider from its URL, matched against the discovered metadata, and for
 * the token endpoint from the `grant_type` of its form body (the one field read from it).
 */
export function idpOperationOf(
  url: URL,
  body: unknown,
  metadata: Partial<oidc.ServerMetadata> | undefined,
): IdpOperation {
  if (url.pathname.includes('/.well-known/')) return 'discovery';
  if (metadata === undefined) return 'other';
  if (sameEndpoint(url, metadata.token_endpoint)) {
    const grant = body instanceof URLSearchParams ? body.get('grant_type') : null;
    return (grant === null ? undefined : GRANT_OPERATIONS.get(grant)) ?? 'token';
  }
  if (sameEndpoint(url, metadata.pushed_authorization_request_endpoint)) return 'par';
  if (sameEndpoint(url, metadata.revocation_endpoint)) return 'revocation';
  if (sameEndpoint(url, metadata.jwks_uri)) return 'jwks';
  if (sameEndpoint(url, metadata.userinfo_endpoint)) return 'userinfo';
  return 'other';
}

/**
 * openid-client's `customFetch` with tracing on: a CLIENT span `oidc <operation>` per call
 * (attribute `bff.oidc.operation`), carrying its `traceparent` to the provider. A DPoP nonce
 * retry is a call, and a span, of its own.
 */
export function idpFetch(
  tracing: BffTracing,
  metadata: () => Partial<oidc.ServerMetadata> | undefined,
): oidc.CustomFetch {
  return tracedFetch(tracing, (url, options: oidc.CustomFetchOptions) => {
    const operation = idpOperationOf(url, options.body, metadata());
    return { name: `oidc ${operation}`, attributes: { 'bff.oidc.operation': operation } };
  });
}
