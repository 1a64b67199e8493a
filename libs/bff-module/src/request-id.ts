import { randomUUID } from 'node:crypto';

/** What a trusted proxy may call a request: a token, not free text for the logs. */
const PROXY_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Our own ids, so a client cannot plant one in the logs or pose as the BFF
 * upstream; behind a trusted proxy (BFF_TRUST_PROXY) its `X-Request-Id` is
 * kept, so one id follows the request through both.
 */
export function requestIdGenerator(trustProxy: boolean): (request: { headers: Record<string, unknown> }) => string {
  if (!trustProxy) return () => randomUUID();
  return (request) => {
    const id = request.headers['x-request-id'];
    return typeof id === 'string' && PROXY_REQUEST_ID.test(id) ? id : randomUUID();
  };
}
