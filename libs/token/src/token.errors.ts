import { BffError, DependencyUnavailableError } from '@bff/errors';

/** The provider refused the refresh token (`invalid_grant`/`invalid_client`): the session is over. */
export class RefreshRejectedError extends BffError {
  constructor(reason: string) {
    super('session_expired', 401, `The session can no longer be renewed (${reason}); log in again at /auth/login.`);
  }
}

/** Another instance's refresh took longer than the bounded wait. */
export class RefreshLockTimeoutError extends DependencyUnavailableError {
  constructor() {
    super('refresh_in_progress', 'The access token is being renewed and it is taking too long; try again shortly.');
  }
}
