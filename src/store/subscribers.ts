import type { Provenance } from "../domain/provenance.js";
import type {
  BarArrival,
  SessionDataBarHook,
  SessionDataEvent,
  SessionDataListener,
} from "./events.js";
import type { SymbolSessionData } from "./symbol-session-data.js";

/** A `subscribe` listener or a `subscribeBars` hook (exactly one is set). */
interface Subscriber {
  readonly listener: SessionDataListener | undefined;
  readonly hook: SessionDataBarHook | undefined;
}

/**
 * The listeners and bar hooks of one store, in subscription order, and how events reach them:
 * exceptions are caught and reported with `process.emitWarning` (type
 * `SessionDataListenerWarning`), never passed on. Internal to the store.
 */
export class Subscribers {
  /** Copy-on-write: an emit in progress keeps iterating the array it started with. */
  list: readonly Subscriber[] = [];

  /** Adds a listener or a hook; returns the function that removes it. */
  add(listener: SessionDataListener | undefined, hook: SessionDataBarHook | undefined): () => void {
    const subscriber: Subscriber = { listener, hook };
    this.list = [...this.list, subscriber];
    return () => {
      this.list = this.list.filter((s) => s !== subscriber);
    };
  }

  /** Every listener gets `event`; hooks get it through `onEvent`. */
  emit(event: SessionDataEvent): void {
    const list = this.list;
    for (let i = 0; i < list.length; i++) {
      const { hook, listener } = list[i]!;
      try {
        if (hook === undefined) listener!(event);
        else hook.onEvent?.(event);
      } catch (error) {
        warn(event.type, error);
      }
    }
  }

  /**
   * A stored bar: hooks get its numbers, listeners one shared `bar` event, made only if a
   * listener is subscribed (its bar a frozen copy).
   */
  emitBar(
    sym: SymbolSessionData,
    t: number,
    open: number,
    high: number,
    low: number,
    close: number,
    volume: number,
    arrival: BarArrival,
    sessionDate: string,
    regular: boolean,
    provenance: Provenance,
  ): void {
    const list = this.list;
    let event: SessionDataEvent | undefined;
    for (let i = 0; i < list.length; i++) {
      const { hook, listener } = list[i]!;
      try {
        if (hook !== undefined) {
          hook.onBar(
            sym,
            t,
            open,
            high,
            low,
            close,
            volume,
            arrival,
            regular,
            sessionDate,
            provenance,
          );
        } else {
          event ??= {
            type: "bar",
            symbol: sym.symbol,
            bar: Object.freeze({ time: t, open, high, low, close, volume }),
            arrival,
            sessionDate,
            regular,
            provenance,
          };
          listener!(event);
        }
      } catch (error) {
        warn("bar", error);
      }
    }
  }
}

function warn(type: string, error: unknown): void {
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.emitWarning(`a SessionData listener threw on a "${type}" event: ${message}`, {
    type: "SessionDataListenerWarning",
  });
}
