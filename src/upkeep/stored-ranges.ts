import type { Session } from "../calendar/trading-calendar.js";
import type { StoredRange } from "./expected-minutes.js";

/**
 * Each watched symbol's stored range (see `expected-minutes.ts`), and which watched symbols a
 * session concerns: those whose range meets it. The others expect no minute of it, so upkeep
 * skips them without changing a figure, and a replay of symbols with staggered ranges costs per
 * pass what an aligned one does. The filtered list is kept until the session or the watched list
 * changes.
 */
export class StoredRanges {
  #ranges: ReadonlyMap<string, StoredRange> | undefined;
  #list: readonly string[] = [];
  #from: readonly string[] | undefined;
  #session: Session | undefined;

  /** The ranges in force (`undefined`: none given, nothing clipped). */
  get ranges(): ReadonlyMap<string, StoredRange> | undefined {
    return this.#ranges;
  }

  set(ranges: ReadonlyMap<string, StoredRange>): void {
    this.#ranges = ranges;
    this.#from = undefined;
  }

  /** The range of `symbol`, `undefined` when none was given for it. */
  get(symbol: string): StoredRange | undefined {
    return this.#ranges?.get(symbol);
  }

  /** The symbols of `watched` (the same array while it is unchanged) whose range meets `session`. */
  active(watched: readonly string[], session: Session | undefined): readonly string[] {
    const ranges = this.#ranges;
    if (ranges === undefined || session === undefined) return watched;
    if (this.#from === watched && this.#session === session) return this.#list;
    this.#list = watched.filter((symbol) => {
      const r = ranges.get(symbol);
      return r === undefined || (r.first < session.close && r.last >= session.open);
    });
    this.#from = watched;
    this.#session = session;
    return this.#list;
  }
}
