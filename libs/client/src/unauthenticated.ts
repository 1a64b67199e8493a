import type { BffHttpError } from './errors.js';
import type { StepUp } from './login-parameters.js';

/** What `onUnauthenticated` learns about the call that answered 401, and what it can do about it. */
export interface UnauthenticatedEvent {
  route: string;
  path: string;
  method: string;
  error: BffHttpError;
  /**
   * `session_ended`: there is no session (any 401 but a step-up); log in again.
   * `step_up_required`: the session is fine, but the route wants a stronger login (`stepUp`).
   */
  reason: 'session_ended' | 'step_up_required';
  /** With `step_up_required`: the login the BFF asked for, checked (see `login`). */
  stepUp: StepUp | undefined;
  /**
   * Navigates to the login, returning to the current page: `bff.login()`, or for a step-up the
   * BFF's `loginUrl` when it is a login of this BFF (else one built here with its `acr_values`).
   */
  login: () => void;
  /**
   * Asks for the failed call to be sent once more when the hook returns (or its promise
   * resolves), e.g. after a login in a pop-up. Without it the call rejects with `error`.
   */
  retry: () => void;
}

/**
 * Called when an `/api` call answers 401. The decision is a call to `event.retry()` rather than a
 * return value, so that both `({ login }) => login()` and an async hook type-check as they are.
 */
export type UnauthenticatedHook = (event: UnauthenticatedEvent) => void | Promise<void>;

/**
 * Asks `hook` once for a burst of 401s of one reason (a pop-up per failed call would help
 * nobody); each call of the burst learns whether to retry.
 */
export function createHookAsker(
  hook: UnauthenticatedHook,
): (event: Omit<UnauthenticatedEvent, 'retry'>) => Promise<boolean> {
  const pending = new Map<UnauthenticatedEvent['reason'], Promise<boolean>>();
  return (event) => {
    const asked = pending.get(event.reason);
    if (asked) return asked;
    const ask = async (): Promise<boolean> => {
      let retry = false;
      await hook({
        ...event,
        retry: () => {
          retry = true;
        },
      });
      return retry;
    };
    const answer = ask().finally(() => {
      pending.delete(event.reason);
    });
    pending.set(event.reason, answer);
    return answer;
  };
}
