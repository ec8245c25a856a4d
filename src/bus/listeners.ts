/**
 * A typed listener list for the bus's classes. A listener that throws is reported with
 * `process.emitWarning` and never breaks the bus.
 */
// biome-ignore lint/suspicious/noExplicitAny: listener signatures vary by event
export class Listeners<Events extends { [K in keyof Events]: (...args: any[]) => void }> {
  readonly #map = new Map<keyof Events, Set<Events[keyof Events]>>();

  /** Adds `listener` for `event`; returns the function that removes it. */
  on<E extends keyof Events>(event: E, listener: Events[E]): () => void {
    let set = this.#map.get(event);
    if (set === undefined) {
      set = new Set();
      this.#map.set(event, set);
    }
    set.add(listener);
    return () => set.delete(listener);
  }

  /** How many listeners `event` has. */
  count(event: keyof Events): number {
    return this.#map.get(event)?.size ?? 0;
  }

  /**
   * Emits `error` on `event` when anyone listens, else a process warning of `warningType`:
   * the publisher's and the replica's errors are never silent.
   */
  report<E extends keyof Events>(event: E, error: Error, warningType: string): void {
    if (this.count(event) > 0) this.emit(event, ...([error] as Parameters<Events[E]>));
    else process.emitWarning(error.message, { type: warningType });
  }

  /** Calls every listener of `event` with `args`. */
  emit<E extends keyof Events>(event: E, ...args: Parameters<Events[E]>): void {
    const set = this.#map.get(event);
    if (set === undefined) return;
    for (const listener of set) {
      try {
        listener(...args);
      } catch (error) {
        process.emitWarning(
          `a bus "${String(event)}" listener threw: ${error instanceof Error ? error.message : String(error)}`,
          { type: "BusListenerWarning" },
        );
      }
    }
  }
}
