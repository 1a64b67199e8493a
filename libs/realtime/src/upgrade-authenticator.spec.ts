import { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import { RealtimeConfig, ServerConfig } from '@bff/config';
import { SessionRequiredError } from '@bff/errors';
import { RequestSessions, type OpenedSession, type SessionCookies, type SessionService } from '@bff/session';
import { OriginNotAllowedError, TooManySocketsError } from './realtime.errors';
import { UpgradeAuthenticator } from './upgrade-authenticator';

const ORIGIN = 'https://app.example';
const SESSION = { ticket: { id: 'session-1', secret: Buffer.alloc(32) }, record: { sub: 'alice' }, expiresAt: 0 };

/** The TCP connection under an upgrade: all the authenticator uses is `destroyed` and its 'close' event. */
class FakeConnection extends EventEmitter {
  destroyed = false;
  close(): void {
    this.destroyed = true;
    this.emit('close');
  }
}

function upgrade(headers: Record<string, string>, connection = new FakeConnection()): IncomingMessage {
  return { headers, socket: connection } as unknown as IncomingMessage;
}

const withSession = (connection?: FakeConnection) => upgrade({ origin: ORIGIN, cookie: '__Host-bff=good' }, connection);

describe('UpgradeAuthenticator', () => {
  let opened: string[];
  let authenticator: UpgradeAuthenticator;
  beforeEach(() => {
    opened = [];
    // Opening a session takes a few turns, as it does against Redis.
    const sessions = {
      open: async (cookie: string | undefined) => {
        opened.push(String(cookie));
        await new Promise((resolve) => setImmediate(resolve));
        return cookie === 'good' ? (SESSION as unknown as OpenedSession) : undefined;
      },
    } as unknown as SessionService;
    authenticator = new UpgradeAuthenticator(
      Object.assign(new ServerConfig(), { allowedOrigins: [ORIGIN] }),
      Object.assign(new RealtimeConfig(), { maxSocketsPerSession: 2 }),
      new RequestSessions(sessions, { sessionName: '__Host-bff' } as SessionCookies),
    );
  });

  it('refuses a foreign or missing Origin before it looks at the session', async () => {
    const foreignOrNone: Record<string, string>[] = [
      { origin: 'https://evil.example', cookie: '__Host-bff=good' },
      { cookie: '__Host-bff=good' },
    ];
    for (const headers of foreignOrNone) {
      await expect(authenticator.verify(upgrade(headers))).rejects.toBeInstanceOf(OriginNotAllowedError);
    }
    expect(opened).toEqual([]);
  });

  it('refuses an upgrade whose cookie opens no session', async () => {
    await expect(authenticator.verify(upgrade({ origin: ORIGIN }))).rejects.toBeInstanceOf(SessionRequiredError);
  });

  it('accepts exactly the cap of concurrent upgrades of one session, and the refused ones hold nothing', async () => {
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => authenticator.verify(withSession())));
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(2);
    const refused = results.flatMap((result) => (result.status === 'rejected' ? [result.reason as unknown] : []));
    expect(refused).toHaveLength(3);
    for (const reason of refused) expect(reason).toBeInstanceOf(TooManySocketsError);
    expect(authenticator.socketsOf('session-1')).toBe(2);
  });

  it('frees the slot when the connection closes, whether or not the upgrade completed', async () => {
    const first = new FakeConnection();
    await authenticator.verify(withSession(first));
    await authenticator.verify(withSession());
    await expect(authenticator.verify(withSession())).rejects.toBeInstanceOf(TooManySocketsError);
    first.close();
    first.close();
    expect(authenticator.socketsOf('session-1')).toBe(1);
    await authenticator.verify(withSession());
    expect(authenticator.socketsOf('session-1')).toBe(2);
  });

  it('keeps no slot for a connection that was gone before its session was opened', async () => {
    const gone = new FakeConnection();
    const verifying = authenticator.verify(withSession(gone));
    gone.close();
    await verifying;
    expect(authenticator.socketsOf('session-1')).toBe(0);
  });

  it('remembers the session of an accepted upgrade for the gateway', async () => {
    const request = withSession();
    await authenticator.verify(request);
    expect(authenticator.sessionOf(request)).toBe(SESSION);
  });
});
