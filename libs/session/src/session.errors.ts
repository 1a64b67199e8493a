import { DependencyUnavailableError } from '@bff/errors';

/** The session store (Redis) did not answer in time or refused the command. */
export class SessionStoreUnavailableError extends DependencyUnavailableError {
  constructor(cause?: unknown) {
    super('session_store_unavailable', 'The session store is unavailable; try again shortly.', cause);
  }
}
