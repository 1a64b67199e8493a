import { randomBytes } from 'node:crypto';

/**
 * The cookie's content (oauth2-proxy's session-ticket design): `id` names the
 * Redis entry, `secret` is the per-session key material that never leaves the
 * browser except in this cookie. Redis holds only ciphertext, so neither a Redis
 * dump nor the server key alone opens a session.
 */
export interface SessionTicket {
  readonly id: string;
  readonly secret: Buffer;
}

const VERSION = 'v1';
/** `v1.<id>.<secret>`, each part 256 bits in unpadded base64url (43 characters). */
const PREFIX = `${VERSION}.`;
const PART_LENGTH = 43;
const ID_END = PREFIX.length + PART_LENGTH;
const TICKET_LENGTH = ID_END + 1 + PART_LENGTH;

/** base64url's alphabet by character code: every request's cookie is checked against it. */
const BASE64URL = new Uint8Array(128);
for (const char of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_')
  BASE64URL[char.charCodeAt(0)] = 1;

/** Every character of `value` in [from, to) is base64url's: a loop, which costs a request less than a pattern. */
function isBase64Url(value: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const code = value.charCodeAt(i);
    if (code > 127 || BASE64URL[code] === 0) return false;
  }
  return true;
}

/** A fresh ticket: 256 random bits each for id and secret. */
export function createTicket(): SessionTicket {
  return { id: randomBytes(32).toString('base64url'), secret: randomBytes(32) };
}

/** `v1.<id>.<secret>`, all base64url: safe in a cookie without quoting. */
export function formatTicket(ticket: SessionTicket): string {
  return `${VERSION}.${ticket.id}.${ticket.secret.toString('base64url')}`;
}

/** Parses a cookie value; anything malformed, truncated or of another version is `undefined`. */
export function parseTicket(value: string | undefined): SessionTicket | undefined {
  // The length first: a cookie of any other size is refused before the pattern reads it.
  if (value?.length !== TICKET_LENGTH || !value.startsWith(PREFIX) || value.charCodeAt(ID_END) !== 0x2e)
    return undefined;
  if (!isBase64Url(value, PREFIX.length, ID_END) || !isBase64Url(value, ID_END + 1, TICKET_LENGTH)) return undefined;
  return { id: value.slice(PREFIX.length, ID_END), secret: Buffer.from(value.slice(ID_END + 1), 'base64url') };
}

/**
 * A copy of a ticket whose id is a string of its own. An id parsed from a cookie
 * is a slice of the Cookie header and keeps all of it alive; whatever holds a
 * ticket for long (a WebSocket for hours, the session cache) copies it first.
 * bench:ws measured about twice the header's size retained per socket without.
 */
export function detachTicket(ticket: SessionTicket): SessionTicket {
  return { id: Buffer.from(ticket.id, 'latin1').toString('latin1'), secret: ticket.secret };
}
