import { DependencyUnavailableError } from '@bff/errors';

/**
 * Redis, which holds the sessions and everything else instances share (login
 * transactions, single-use claims, locks, pub/sub), did not answer in time or
 * refused the command (503). It lives here, beside the connection, so every
 * Redis-backed implementation reports an outage the same way; the code keeps
 * the name clients already see, since to them it is the session store failing.
 */
export class SessionStoreUnavailableError extends DependencyUnavailableError {
  constructor(cause?: unknown) {
    super('session_store_unavailable', 'The session store is unavailable; try again shortly.', cause);
  }
}
