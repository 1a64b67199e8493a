import { DpopKey, type DpopPrivateJwk } from '@bff/dpop';
import type { SessionRecord } from './session-record';

/** At most this many sessions' keys stay imported in one process (least recently used dropped). */
const MAX_IMPORTED_KEYS = 10_000;

// A record is opened from the store on every request, so its JWK is a new object each time: the
// imported keys are found again by the private scalar, which only ever lives in this process's
// memory (as the opened record itself does). A key is imported once, not once per proxied call.
const imported = new Map<string, DpopKey>();
// A cached record (SESSION_CACHE_MS) hands out the same JWK object on every request: found by
// identity first, without the scalar lookup and the recency update of the map above.
const byJwk = new WeakMap<DpopPrivateJwk, DpopKey>();

/**
 * The session's DPoP key (RFC 9449), generated at login when `OIDC_DPOP` is on and sealed in the
 * record as a private JWK; undefined for a session without one. Imported at most once per process.
 */
export function sessionDpopKey(record: Pick<SessionRecord, 'dpopKey'>): DpopKey | undefined {
  const jwk = record.dpopKey;
  if (jwk === undefined) return undefined;
  const same = byJwk.get(jwk);
  if (same !== undefined) return same;
  const found = imported.get(jwk.d);
  if (found !== undefined) {
    imported.delete(jwk.d);
    imported.set(jwk.d, found);
    byJwk.set(jwk, found);
    return found;
  }
  const key = DpopKey.fromPrivateJwk(jwk);
  remember(jwk, key);
  return key;
}

/** Whether the provider bound a token to the key of its request (RFC 9449 `token_type: DPoP`). */
export function isDpopBound(tokenType: string | undefined): boolean {
  return tokenType?.toLowerCase() === 'dpop';
}

/**
 * The key a token must be proved with: its holder's (a session record, a cached client token),
 * when the provider bound that token; judged per token, as a provider may bind one grant's
 * tokens and not another's. Undefined for a token that goes as Bearer.
 */
export function boundDpopKey(
  tokenType: string | undefined,
  holder: Pick<SessionRecord, 'dpopKey'>,
): DpopKey | undefined {
  return isDpopBound(tokenType) ? sessionDpopKey(holder) : undefined;
}

/** Keeps a key just generated, so that the session's first calls do not import it again. */
export function rememberSessionDpopKey(key: DpopKey): DpopPrivateJwk {
  const jwk = key.toPrivateJwk();
  remember(jwk, key);
  return jwk;
}

function remember(jwk: DpopPrivateJwk, key: DpopKey): void {
  imported.set(jwk.d, key);
  byJwk.set(jwk, key);
  if (imported.size > MAX_IMPORTED_KEYS) imported.delete(imported.keys().next().value as string);
}
