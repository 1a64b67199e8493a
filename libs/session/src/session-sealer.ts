import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import type { SessionTicket } from './session-ticket';

/** Domain separation: a key derived for one purpose never opens another's data. */
export type SealPurpose = 'session' | 'login' | 'client-token';

const FORMAT = 'g1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Thrown when ciphertext does not open: wrong key, tampered, truncated or foreign. */
export class SealOpenError extends Error {
  override readonly name = 'SealOpenError';
}

/**
 * AES-256-GCM sealing of session data. The key is HKDF-SHA256 of the ticket's
 * secret with the server key as salt, so both halves are needed; the ticket id
 * is the additional authenticated data, so ciphertext moved to another id does
 * not open. Previous server keys are tried when opening (key rotation).
 */
export class SessionSealer {
  private readonly serverKeys: Buffer[];
  private cachedHandleKey?: Buffer;

  constructor(currentServerKey: string, previousServerKeys: readonly string[] = []) {
    this.serverKeys = [currentServerKey, ...previousServerKeys].map((key) => Buffer.from(key, 'utf8'));
  }

  seal(purpose: SealPurpose, ticket: SessionTicket, payload: unknown): string {
    return sealWith(this.deriveKey(purpose, ticket, this.serverKeys[0] as Buffer), ticket.id, payload);
  }

  /** Returns the parsed payload; the caller knows what it sealed under this purpose. */
  open(purpose: SealPurpose, ticket: SessionTicket, sealed: string): unknown {
    return openWith(
      this.serverKeys.map((serverKey) => this.deriveKey(purpose, ticket, serverKey)),
      ticket.id,
      sealed,
    );
  }

  /**
   * Seals what the server itself must read without the session's cookie (a session's listing
   * facts: when it started, its user agent): a key from the server key alone, the session id
   * as additional data. Never used for tokens, which stay under the ticket's secret.
   */
  sealForServer(id: string, payload: unknown): string {
    return sealWith(serverKeyFor(this.serverKeys[0] as Buffer, 'session-info'), id, payload);
  }

  /** Opens what {@link sealForServer} sealed for this id (previous server keys too). */
  openForServer(id: string, sealed: string): unknown {
    return openWith(
      this.serverKeys.map((serverKey) => serverKeyFor(serverKey, 'session-info')),
      id,
      sealed,
    );
  }

  /**
   * The opaque handle `/auth/sessions` shows for a session: an HMAC of its id under a key
   * from the current server key. It names the session to its owner and cannot be turned back
   * into the id (half of the cookie's credential).
   */
  handleOf(id: string): string {
    return createHmac('sha256', this.handleKey).update(id, 'utf8').digest('base64url');
  }

  private get handleKey(): Buffer {
    this.cachedHandleKey ??= serverKeyFor(this.serverKeys[0] as Buffer, 'session-handle');
    return this.cachedHandleKey;
  }

  private deriveKey(purpose: SealPurpose, ticket: SessionTicket, serverKey: Buffer): Buffer {
    return Buffer.from(hkdfSync('sha256', ticket.secret, serverKey, `bff ${purpose} v1`, 32));
  }
}

/** A key derived from the server key alone, for one purpose. */
function serverKeyFor(serverKey: Buffer, purpose: 'session-info' | 'session-handle'): Buffer {
  return Buffer.from(hkdfSync('sha256', serverKey, Buffer.alloc(0), `bff ${purpose} v1`, 32));
}

function sealWith(key: Buffer, aad: string, payload: unknown): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const body = Buffer.concat([cipher.update(JSON.stringify(payload), 'utf8'), cipher.final()]);
  return `${FORMAT}.${Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url')}`;
}

function openWith(keys: Buffer[], aad: string, sealed: string): unknown {
  const [format, data] = sealed.split('.');
  if (format !== FORMAT || data === undefined) throw new SealOpenError('unknown ciphertext format');
  const raw = Buffer.from(data, 'base64url');
  if (raw.length < IV_BYTES + TAG_BYTES + 1) throw new SealOpenError('ciphertext truncated');
  const iv = raw.subarray(0, IV_BYTES);
  const tag = raw.subarray(raw.length - TAG_BYTES);
  const body = raw.subarray(IV_BYTES, raw.length - TAG_BYTES);
  for (const key of keys) {
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, iv);
      decipher.setAAD(Buffer.from(aad, 'utf8'));
      decipher.setAuthTag(tag);
      const text = Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
      return JSON.parse(text) as unknown;
    } catch {
      // Authentication failed under this server key; try the previous one.
    }
  }
  throw new SealOpenError('ciphertext did not authenticate');
}
