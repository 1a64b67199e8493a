import { readSessionRecord, sealableSessionRecord, type SessionRecord } from './session-record';
import { SessionSealer } from './session-sealer';
import { createTicket } from './session-ticket';

const RECORD: SessionRecord = {
  v: 1,
  sub: 'alice',
  sid: 'idp-sid',
  claims: { sub: 'alice' },
  tokens: { accessToken: 'at', idToken: 'it', refreshToken: 'rt', tokenType: 'bearer' },
  createdAt: 1_000,
  absoluteExpiresAt: 2_000,
  logoutSid: 'per-session-logout-value',
};

/** The same session as a version before the rename sealed it: `logoutSid` was `logoutToken`. */
function sealedBeforeTheRename(record: SessionRecord): Record<string, unknown> {
  const { logoutSid, ...rest } = record;
  return { ...rest, logoutToken: logoutSid };
}

describe('readSessionRecord', () => {
  it('reads a record sealed under the former name logoutToken as logoutSid', () => {
    const sealer = new SessionSealer('s'.repeat(32));
    const ticket = createTicket();
    const sealed = sealer.seal('session', ticket, sealedBeforeTheRename(RECORD));
    const record = readSessionRecord(sealer.open('session', ticket, sealed));
    expect(record).toEqual(RECORD);
    expect(record).not.toHaveProperty('logoutToken');
  });

  it('seals under both names for one release, so a previous version mid-deploy still finds its logoutToken', () => {
    const sealer = new SessionSealer('s'.repeat(32));
    const ticket = createTicket();
    const old = readSessionRecord(sealedBeforeTheRename(RECORD));
    const resealed = sealer.open('session', ticket, sealer.seal('session', ticket, sealableSessionRecord(old)));
    expect(resealed).toEqual({ ...RECORD, logoutToken: RECORD.logoutSid });
    expect(readSessionRecord(resealed)).toEqual(RECORD);
  });

  it('reads a record sealed under the new name unchanged', () => {
    expect(readSessionRecord(structuredClone(RECORD))).toEqual(RECORD);
  });
});
