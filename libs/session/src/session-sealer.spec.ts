import { SealOpenError, SessionSealer } from './session-sealer';
import { createTicket, formatTicket, parseTicket } from './session-ticket';

const KEY = 'k'.repeat(32);

describe('session ticket', () => {
  it('round-trips through its cookie form', () => {
    const ticket = createTicket();
    const parsed = parseTicket(formatTicket(ticket));
    expect(parsed?.id).toBe(ticket.id);
    expect(parsed?.secret.equals(ticket.secret)).toBe(true);
  });

  it('carries 256 random bits in each part', () => {
    const ticket = createTicket();
    expect(Buffer.from(ticket.id, 'base64url')).toHaveLength(32);
    expect(ticket.secret).toHaveLength(32);
    expect(createTicket().id).not.toBe(ticket.id);
  });

  it.each([
    ['empty', ''],
    ['another version', formatTicket(createTicket()).replace(/^v1/, 'v2')],
    ['truncated', formatTicket(createTicket()).slice(0, -1)],
    ['an extra part', `${formatTicket(createTicket())}.x`],
    ['non-base64url characters', formatTicket(createTicket()).replace(/.$/, '=')],
    ['oversized', `v1.${'a'.repeat(200)}`],
    ['of the right length with a separator missing', formatTicket(createTicket()).replace(/\.(?=[^.]*$)/, 'a')],
    ['of the right length in upper case', formatTicket(createTicket()).replace(/^v1/, 'V1')],
    ['of the right length with padding', `${formatTicket(createTicket()).slice(0, -1)}=`],
  ])('rejects a cookie value that is %s', (_label, value) => {
    expect(parseTicket(value)).toBeUndefined();
  });
});

describe('SessionSealer', () => {
  const sealer = new SessionSealer(KEY);

  it('opens what it sealed, and the ciphertext shows no plaintext', () => {
    const ticket = createTicket();
    const sealed = sealer.seal('session', ticket, { accessToken: 'at-secret-value' });
    expect(sealed).not.toContain('at-secret-value');
    expect(sealer.open('session', ticket, sealed)).toEqual({ accessToken: 'at-secret-value' });
  });

  it('needs the per-session secret: the server key alone does not open', () => {
    const ticket = createTicket();
    const sealed = sealer.seal('session', ticket, { a: 1 });
    const wrongSecret = { id: ticket.id, secret: createTicket().secret };
    expect(() => sealer.open('session', wrongSecret, sealed)).toThrow(SealOpenError);
  });

  it('needs the server key: the cookie alone does not open', () => {
    const ticket = createTicket();
    const sealed = sealer.seal('session', ticket, { a: 1 });
    expect(() => new SessionSealer('o'.repeat(32)).open('session', ticket, sealed)).toThrow(SealOpenError);
  });

  it('binds the ciphertext to the id (AAD) and to its purpose', () => {
    const ticket = createTicket();
    const sealed = sealer.seal('session', ticket, { a: 1 });
    expect(() => sealer.open('session', { ...ticket, id: createTicket().id }, sealed)).toThrow(SealOpenError);
    expect(() => sealer.open('login', ticket, sealed)).toThrow(SealOpenError);
  });

  it('rejects tampered and truncated ciphertext', () => {
    const ticket = createTicket();
    const sealed = sealer.seal('session', ticket, { a: 1 });
    const raw = Buffer.from(sealed.slice(3), 'base64url');
    raw[14] = (raw[14] ?? 0) ^ 1;
    expect(() => sealer.open('session', ticket, `g1.${raw.toString('base64url')}`)).toThrow(SealOpenError);
    expect(() => sealer.open('session', ticket, sealed.slice(0, 20))).toThrow(SealOpenError);
    expect(() => sealer.open('session', ticket, 'plain text')).toThrow(SealOpenError);
  });

  it('opens sessions sealed under a previous server key (rotation)', () => {
    const ticket = createTicket();
    const sealedBefore = new SessionSealer('o'.repeat(32)).seal('session', ticket, { a: 1 });
    const rotated = new SessionSealer(KEY, ['o'.repeat(32)]);
    expect(rotated.open('session', ticket, sealedBefore)).toEqual({ a: 1 });
  });
});

describe('SessionSealer for the server alone', () => {
  const sealer = new SessionSealer(KEY);

  it('seals listing facts under the server key, bound to the session id', () => {
    const sealed = sealer.sealForServer('id-1', { userAgent: 'Firefox' });
    expect(sealed).not.toContain('Firefox');
    expect(sealer.openForServer('id-1', sealed)).toEqual({ userAgent: 'Firefox' });
    expect(() => sealer.openForServer('id-2', sealed)).toThrow(SealOpenError);
    expect(() => new SessionSealer('o'.repeat(32)).openForServer('id-1', sealed)).toThrow(SealOpenError);
    expect(new SessionSealer('o'.repeat(32), [KEY]).openForServer('id-1', sealed)).toEqual({ userAgent: 'Firefox' });
  });

  it('never opens a ticket-sealed payload as server-sealed, nor the reverse', () => {
    const ticket = createTicket();
    expect(() => sealer.openForServer(ticket.id, sealer.seal('session', ticket, { a: 1 }))).toThrow(SealOpenError);
    expect(() => sealer.open('session', ticket, sealer.sealForServer(ticket.id, { a: 1 }))).toThrow(SealOpenError);
  });

  it('derives a stable, opaque handle per session id and server key', () => {
    const { id } = createTicket();
    const handle = sealer.handleOf(id);
    expect(handle).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(handle).not.toBe(id);
    expect(sealer.handleOf(id)).toBe(handle);
    expect(sealer.handleOf(createTicket().id)).not.toBe(handle);
    expect(new SessionSealer('o'.repeat(32)).handleOf(id)).not.toBe(handle);
  });
});
