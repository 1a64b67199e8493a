/**
 * Counts the sockets each session holds against a cap. Taking a slot checks
 * and counts in one synchronous step, so upgrades of one session verified
 * concurrently cannot all pass the check before any of them is counted.
 */
export class SocketSlots {
  private readonly held = new Map<string, number>();

  constructor(readonly max: number) {}

  /** A slot for the session and the function that gives it back (idempotent); undefined at the cap. */
  tryTake(sessionId: string): (() => void) | undefined {
    const count = this.held.get(sessionId) ?? 0;
    if (count >= this.max) return undefined;
    this.held.set(sessionId, count + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.held.get(sessionId) ?? 1) - 1;
      if (left > 0) this.held.set(sessionId, left);
      else this.held.delete(sessionId);
    };
  }

  /** Slots the session holds now. */
  count(sessionId: string): number {
    return this.held.get(sessionId) ?? 0;
  }

  /** Sessions holding at least one slot. */
  get sessions(): number {
    return this.held.size;
  }
}
