import { createTicket, formatTicket, parseTicket } from './session-ticket';

describe('session tickets', () => {
  it('parses what it formats: the id as it was, the secret as the same bytes', () => {
    for (let i = 0; i < 50; i++) {
      const ticket = createTicket();
      const parsed = parseTicket(formatTicket(ticket));
      expect(parsed?.id).toBe(ticket.id);
      expect(parsed?.secret.equals(ticket.secret)).toBe(true);
    }
  });

  it('takes every character of the base64url alphabet in both parts', () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const id = alphabet.slice(0, 43);
    const secret = alphabet.slice(21);
    expect(parseTicket(`v1.${id}.${secret}`)?.id).toBe(id);
  });

  it('refuses anything else: another version or separator, a character outside base64url, any other length', () => {
    const good = formatTicket(createTicket());
    const at = (index: number, char: string): string => good.slice(0, index) + char + good.slice(index + 1);
    const refused = [
      undefined,
      '',
      `v2${good.slice(2)}`,
      `V1${good.slice(2)}`,
      at(2, '-'),
      at(46, '_'),
      at(46, 'A'),
      ...['+', '/', '=', ' ', '.', '%', '\u0000', 'é', '\u0141', '\uff21'].flatMap((char) => [
        at(10, char),
        at(80, char),
      ]),
      good.slice(0, -1),
      `${good}A`,
      `${good.slice(0, 46)}.${good.slice(46)}`.slice(0, 90),
    ];
    for (const value of refused) expect(parseTicket(value)).toBeUndefined();
  });
});
