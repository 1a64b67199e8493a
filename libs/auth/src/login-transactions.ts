import { Inject, Injectable } from '@nestjs/common';
import { SessionConfig } from '@bff/config';
import {
  createTicket,
  formatTicket,
  parseTicket,
  SealOpenError,
  SessionSealer,
  type SessionTicket,
} from '@bff/session';
import { LoginStateError } from './auth.errors';
import { LOGIN_TRANSACTION_STORE, type LoginTransactionStore } from './login-transaction.store';
import { sameText } from './same-text';

/** What the callback needs from the request that started the login. */
export interface LoginTransaction {
  nonce: string;
  codeVerifier: string;
  returnTo: string;
  createdAt: number;
  /** The login's `max_age`, when it asked for one: the ID token's `auth_time` is checked against it. */
  maxAge?: number;
}

/** A login's `state` and login cookie before its transaction is stored. */
export interface PendingLogin {
  state: string;
  cookieValue: string;
  /** The ticket behind both: its secret seals the transaction. */
  ticket: SessionTicket;
}

/**
 * Pending logins, kept server-side and bound to the browser that started them.
 * The `state` is a ticket id; the login cookie carries the whole ticket, so the
 * sealed transaction opens only with that browser's cookie (no login CSRF), and
 * the store hands each state out once (no replay).
 */
@Injectable()
export class LoginTransactions {
  private readonly ttlMs: number;
  /** The clock that judges a transaction's age; tests replace it to pass the login timeout without waiting. */
  now: () => number = Date.now;

  constructor(
    @Inject(LOGIN_TRANSACTION_STORE) private readonly store: LoginTransactionStore,
    private readonly sealer: SessionSealer,
    config: SessionConfig,
  ) {
    this.ttlMs = config.loginTimeoutSeconds * 1000;
  }

  /** Stores a transaction; returns the `state` to send and the login cookie's value. */
  async begin(transaction: LoginTransaction): Promise<{ state: string; cookieValue: string }> {
    const pending = this.prepare();
    await this.keep(pending, transaction);
    return { state: pending.state, cookieValue: pending.cookieValue };
  }

  /**
   * A new `state` and its login cookie, stored nowhere yet: a login whose authorization request
   * the provider does not take (a refused or failed PAR call) leaves nothing behind. {@link keep}
   * stores it once the redirect is ready.
   */
  prepare(): PendingLogin {
    const ticket = createTicket();
    return { state: ticket.id, cookieValue: formatTicket(ticket), ticket };
  }

  /** Stores the transaction of a {@link prepare}d login, for its callback to {@link finish}. */
  async keep(pending: PendingLogin, transaction: LoginTransaction): Promise<void> {
    await this.store.put(pending.state, this.sealer.seal('login', pending.ticket, transaction), this.ttlMs);
  }

  /** Drops a pending login (superseded by newer ones of the same browser): its callback will be refused. */
  async discard(state: string): Promise<void> {
    await this.store.take(state);
  }

  /** Consumes the transaction the callback's `state` names, checking the browser's login cookie. */
  async finish(state: string | undefined, cookieValue: string | undefined): Promise<LoginTransaction> {
    if (!state) throw new LoginStateError('the state parameter is missing');
    const ticket = parseTicket(cookieValue);
    if (!ticket) throw new LoginStateError('the login cookie is missing or malformed');
    if (!sameText(ticket.id, state)) throw new LoginStateError('the state does not belong to this browser');
    const sealed = await this.store.take(state);
    if (!sealed) throw new LoginStateError('the state is unknown, expired or already used');
    let transaction: LoginTransaction;
    try {
      transaction = this.sealer.open('login', ticket, sealed) as LoginTransaction;
    } catch (error) {
      if (error instanceof SealOpenError) throw new LoginStateError('the login cookie does not match the state');
      throw error;
    }
    if (transaction.createdAt + this.ttlMs < this.now()) throw new LoginStateError('the login took too long');
    return transaction;
  }
}
