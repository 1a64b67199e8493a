import type { BffUser } from './bff-user.js';
import type { Environment, TimerHandle } from './environment.js';
import { BffArgumentError } from './errors.js';
import type { BffClientEvents } from './session-tracker.js';

/** Tuning of `bff.watchSession()`. */
export interface SessionWatchOptions {
  /** How long before the session's expiry `expiring` fires (default 60 s). */
  warnBeforeMs?: number;
}

const DEFAULT_WARN_BEFORE_MS = 60_000;
/** `setTimeout` runs a longer delay at once (it is a signed 32-bit integer in browsers). */
export const MAX_TIMER_MS = 2 ** 31 - 1;
/** The BFF's `Date` header counts whole seconds: an expiry this close to the warning time is due. */
const CLOCK_RESOLUTION_MS = 1000;
/** A check that failed, or an expiry past that the BFF did not confirm, is asked again after 1, 2, 4… s, at most 30 s. */
const RECHECK_BASE_MS = 1000;
const RECHECK_MAX_MS = 30_000;

/** The earliest expiry the answer names: idle and absolute, or the older `sessionExpiresAt`. */
function deadlineOf(user: BffUser): number | undefined {
  const times = [user.idleExpiresAt, user.absoluteExpiresAt, user.sessionExpiresAt]
    .filter((value): value is string => value !== undefined)
    .map((value) => Date.parse(value))
    .filter((value) => !Number.isNaN(value));
  return times.length === 0 ? undefined : Math.min(...times);
}

/** Checks `warnBeforeMs` before anything is scheduled. */
export function warnBeforeOf(options: SessionWatchOptions): number {
  const warnBeforeMs = options.warnBeforeMs ?? DEFAULT_WARN_BEFORE_MS;
  if (typeof warnBeforeMs !== 'number' || !Number.isFinite(warnBeforeMs) || warnBeforeMs < 0) {
    throw new BffArgumentError('warnBeforeMs must be a non-negative number of milliseconds');
  }
  return warnBeforeMs;
}

/**
 * The timer behind `expiring`. It never trusts a timer alone: when one falls due it asks
 * `/auth/user?slide=false` (`check`) again, because a call of this tab or another one may have
 * slid the idle expiry meanwhile; the client passes every answer to `update`. So `expiring`
 * fires only for an expiry the BFF still reports, and the end shows as a 401 there.
 */
export class SessionWatch {
  private timer: TimerHandle | undefined;
  /** The expiry `expiring` fired for: once per expiry, again only after it moved. */
  private warnedFor: number | undefined;
  private checking = false;
  private rechecks = 0;
  private stopped = false;

  constructor(
    private readonly env: Environment,
    private readonly warnBeforeMs: number,
    private readonly check: () => Promise<unknown>,
    private readonly emitExpiring: (payload: BffClientEvents['expiring']) => void,
  ) {}

  /** An answer of `/auth/user`; `clockOffsetMs` is the BFF's clock minus this one's, as last seen. */
  update(user: BffUser, clockOffsetMs: number): void {
    if (this.stopped) return;
    const deadline = deadlineOf(user);
    if (deadline === undefined) {
      this.clearTimer();
      return;
    }
    if (this.warnedFor !== undefined && deadline > this.warnedFor) this.warnedFor = undefined;
    const remaining = deadline - (this.env.now() + clockOffsetMs);
    if (remaining <= 0) {
      // The BFF still answered: its expiry and this clock disagree a little. It decides.
      this.recheckLater();
      return;
    }
    this.rechecks = 0;
    if (this.warnedFor === undefined && remaining <= this.warnBeforeMs + CLOCK_RESOLUTION_MS) {
      this.warnedFor = deadline;
      this.emitExpiring({
        expiresAt: new Date(deadline).toISOString(),
        idleExpiresAt: user.idleExpiresAt,
        absoluteExpiresAt: user.absoluteExpiresAt,
      });
    }
    this.schedule(this.warnedFor === undefined ? remaining - this.warnBeforeMs : remaining);
  }

  /** A call slid the session: after a warning, the expiry it warned of has moved; ask at once. */
  slid(): void {
    if (this.warnedFor !== undefined) this.checkNow();
  }

  /** The session ended: nothing to warn of until a new one is seen. */
  ended(): void {
    this.clearTimer();
    this.warnedFor = undefined;
    this.rechecks = 0;
  }

  stop(): void {
    this.stopped = true;
    this.clearTimer();
  }

  checkNow(): void {
    if (this.checking || this.stopped) return;
    this.checking = true;
    this.check()
      .catch(() => {
        this.recheckLater(); // the BFF could not be asked: the session may well be alive
      })
      .finally(() => {
        this.checking = false;
      });
  }

  private recheckLater(): void {
    this.rechecks += 1;
    this.schedule(Math.min(RECHECK_MAX_MS, RECHECK_BASE_MS * 2 ** (this.rechecks - 1)));
  }

  private schedule(delayMs: number): void {
    this.clearTimer();
    if (this.stopped) return;
    // A far expiry (or a huge one) is reached in steps: each step asks the BFF again.
    this.timer = this.env.setTimeout(
      () => {
        this.timer = undefined;
        this.checkNow();
      },
      Math.min(MAX_TIMER_MS, Math.max(0, Math.ceil(delayMs))),
    );
  }

  private clearTimer(): void {
    if (this.timer === undefined) return;
    this.env.clearTimeout(this.timer);
    this.timer = undefined;
  }
}
