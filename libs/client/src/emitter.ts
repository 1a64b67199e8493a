/** A handler of one event; its payload type comes from the event map. */
export type Handler<T> = (payload: T) => void;

/**
 * A minimal typed event emitter. A handler that throws does not stop the others or the caller:
 * its error is re-thrown in a microtask, where the browser reports it as uncaught, as
 * `EventTarget` does with a throwing listener.
 */
export class Emitter<Events extends object> {
  private readonly handlers = new Map<keyof Events, Set<Handler<never>>>();

  on<K extends keyof Events>(event: K, handler: Handler<Events[K]>): void {
    let set = this.handlers.get(event);
    if (!set) {
      set = new Set();
      this.handlers.set(event, set);
    }
    set.add(handler);
  }

  off<K extends keyof Events>(event: K, handler: Handler<Events[K]>): void {
    this.handlers.get(event)?.delete(handler);
  }

  emit<K extends keyof Events>(event: K, payload: Events[K]): void {
    for (const handler of [...(this.handlers.get(event) ?? [])] as Handler<Events[K]>[]) {
      try {
        handler(payload);
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }
}
