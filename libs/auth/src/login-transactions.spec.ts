import { SessionConfig } from '@bff/config';
import { createTicket, formatTicket, SessionSealer } from '@bff/session';
import { LoginStateError } from './auth.errors';
import type { LoginTransactionStore } from './login-transaction.store';
import { LoginTransactions, type LoginTransaction } from './login-transactions';
import { MemoryLoginTransactionStore } from './memory-login-transaction.store';

const T0 = 1_700_000_000_000;
const LOGIN_TIMEOUT_SECONDS = 600;

/** A store that keeps what it is given for ever: expiry is left to the transactions' own age check. */
class KeepingStore implements LoginTransactionStore {
  readonly entries = new Map<string, string>();

  put(state: string, sealed: string): Promise<void> {
    this.entries.set(state, sealed);
    return Promise.resolve();
  }

  take(state: string): Promise<string | null> {
    const sealed = this.entries.get(state) ?? null;
    this.entries.delete(state);
    return Promise.resolve(sealed);
  }
}

/** Transactions and their store on one test clock (the reference in-memory store unless another is given). */
function setup(store?: LoginTransactionStore) {
  let now = T0;
  const clock = () => now;
  const config = Object.assign(new SessionConfig(), { loginTimeoutSeconds: LOGIN_TIMEOUT_SECONDS });
  const transactions = new LoginTransactions(
    store ?? new MemoryLoginTransactionStore(clock),
    new SessionSealer('k'.repeat(32)),
    config,
  );
  transactions.now = clock;
  const begin = () => transactions.begin(pending(now));
  const advance = (ms: number) => (now += ms);
  return { transactions, begin, advance };
}

const pending = (createdAt: number): LoginTransaction => ({
  nonce: 'nonce',
  codeVerifier: 'verifier',
  returnTo: '/orders',
  createdAt,
});

/** The callback was refused as a login state error (400 invalid_state) for the reason given. */
async function expectStateRefused(finishing: Promise<unknown>, reason: RegExp): Promise<void> {
  const error = await finishing.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(LoginStateError);
  expect(error).toMatchObject({ status: 400, code: 'invalid_state', message: expect.stringMatching(reason) });
}

describe('LoginTransactions', () => {
  it('gives the callback back the transaction its login began with', async () => {
    const { transactions, begin } = setup();
    const { state, cookieValue } = await begin();
    await expect(transactions.finish(state, cookieValue)).resolves.toEqual(pending(T0));
  });

  it('lets a state finish its login once: a replayed callback is refused', async () => {
    const { transactions, begin } = setup();
    const { state, cookieValue } = await begin();
    await transactions.finish(state, cookieValue);
    await expectStateRefused(transactions.finish(state, cookieValue), /already used/);
  });

  it("binds a state to the browser's login cookie: another browser's cookie cannot finish it", async () => {
    const { transactions, begin } = setup();
    const victim = await begin();
    const attacker = await begin();
    await expectStateRefused(
      transactions.finish(victim.state, attacker.cookieValue),
      /does not belong to this browser/,
    );
    // The attempt does not use the state up: the browser that began the login still finishes it.
    await expect(transactions.finish(victim.state, victim.cookieValue)).resolves.toMatchObject({ returnTo: '/orders' });
  });

  it('refuses a cookie forged for the state: its id without the secret it was sealed with', async () => {
    const { transactions, begin } = setup();
    const { state } = await begin();
    const forged = formatTicket({ id: state, secret: createTicket().secret });
    await expectStateRefused(transactions.finish(state, forged), /cookie does not match the state/);
  });

  it('refuses the callback of a discarded login (superseded by newer ones of the same browser)', async () => {
    const { transactions, begin } = setup();
    const dropped = await begin();
    const kept = await begin();
    await transactions.discard(dropped.state);
    await expectStateRefused(
      transactions.finish(dropped.state, dropped.cookieValue),
      /unknown, expired or already used/,
    );
    await expect(transactions.finish(kept.state, kept.cookieValue)).resolves.toMatchObject({ returnTo: '/orders' });
  });

  it('expires a pending login with the store after the login timeout', async () => {
    const { transactions, begin, advance } = setup();
    const inTime = await begin();
    const late = await begin();
    advance(LOGIN_TIMEOUT_SECONDS * 1000 - 1);
    await expect(transactions.finish(inTime.state, inTime.cookieValue)).resolves.toMatchObject({ createdAt: T0 });
    advance(1);
    await expectStateRefused(transactions.finish(late.state, late.cookieValue), /expired/);
  });

  it('refuses a transaction older than the login timeout even when the store still returns it', async () => {
    const { transactions, begin, advance } = setup(new KeepingStore());
    const inTime = await begin();
    const late = await begin();
    advance(LOGIN_TIMEOUT_SECONDS * 1000);
    await expect(transactions.finish(inTime.state, inTime.cookieValue)).resolves.toMatchObject({ createdAt: T0 });
    advance(1);
    await expectStateRefused(transactions.finish(late.state, late.cookieValue), /took too long/);
  });

  it('refuses a forged state that no login began, even with a well-formed cookie made for it', async () => {
    const { transactions } = setup();
    const ticket = createTicket();
    await expectStateRefused(transactions.finish(ticket.id, formatTicket(ticket)), /unknown/);
  });

  it.each([
    ['without a state', undefined, 'cookie', /state parameter is missing/],
    ['with an empty state', '', 'cookie', /state parameter is missing/],
    ['without the login cookie', 'state', undefined, /cookie is missing or malformed/],
    ['with a malformed login cookie', 'state', 'v1.not-a-ticket', /cookie is missing or malformed/],
  ] as const)('refuses a callback %s', async (_label, state, cookie, reason) => {
    const { transactions, begin } = setup();
    const started = await begin();
    await expectStateRefused(
      transactions.finish(
        state === 'state' ? started.state : state,
        cookie === 'cookie' ? started.cookieValue : cookie,
      ),
      reason,
    );
  });
});
