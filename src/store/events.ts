import type { Bar } from "../domain/bar.js";
import type { Provenance } from "../domain/provenance.js";
import type { CorporateActionEvent } from "./corporate-ledger.js";
import type { SymbolSessionData } from "./symbol-session-data.js";

/**
 * How a stored bar arrived relative to what the symbol already held:
 * - `append`: newer than every bar of the symbol's session (the usual live case);
 * - `insert`: a late bar, earlier than the latest, at a time not held before (a refill);
 * - `replace`: at a time already held; the new bar replaced the old one (a correction).
 */
export type BarArrival = "append" | "insert" | "replace";

/**
 * What {@link SessionData.subscribe} listeners hear. Every event fires after the store is
 * consistent again, synchronously inside the call that caused it.
 */
export type SessionDataEvent =
  | {
      readonly type: "bar";
      readonly symbol: string;
      readonly bar: Bar;
      readonly arrival: BarArrival;
      /** The session the bar belongs to (always the current session). */
      readonly sessionDate: string;
      /** Whether the bar lies in the regular session (it counts in the metrics) or extended hours. */
      readonly regular: boolean;
      /** Where the bar came from (`live`, `replay`, `refilled`, `corrected`). */
      readonly provenance: Provenance;
    }
  | {
      /** A new session began; the previous one, if any, was rolled into history. */
      readonly type: "sessionStart";
      readonly sessionDate: string;
      readonly previousSessionDate: string | undefined;
    }
  | {
      /** A bar was refused; the store is unchanged. */
      readonly type: "rejected";
      readonly symbol: string;
      readonly time: unknown;
      readonly error: Error;
    }
  | {
      /** `clear()` emptied the store. */
      readonly type: "clear";
    }
  | {
      /**
       * Upkeep's repair counters of `symbol` in the current session were set
       * (`setRepairCounts`), so a mirror of the store (the bus's publisher) can carry them.
       */
      readonly type: "repairCounts";
      readonly symbol: string;
      readonly filled: number;
      readonly unfillable: number;
    }
  /** A split or dividend took effect at the current session's start (`applyCorporateAction`). */
  | CorporateActionEvent;

/** A subscriber to {@link SessionDataEvent}s. Exceptions it throws are caught and reported, never break the store. */
export type SessionDataListener = (event: SessionDataEvent) => void;

/**
 * A low-level subscriber for hot paths (the analysis engine): it hears each stored bar as plain
 * numbers, so the store makes no event or bar object for it. See {@link SessionData.subscribeBars}.
 *
 * Hooks and `subscribe` listeners share one list and run in subscription order; the same rules
 * hold (after the store is consistent, exceptions caught and reported).
 */
export interface SessionDataBarHook {
  /**
   * A bar was stored. `symbol` is the symbol's handle (`symbol.symbol` is its name);
   * `sessionDate` the session it was stored in (the current one when the write happened);
   * `regular` whether it lies in the regular session; `provenance` where it came from. The arguments are the only record of the
   * bar the hook gets: keep numbers, not references.
   */
  onBar(
    symbol: SymbolSessionData,
    time: number,
    open: number,
    high: number,
    low: number,
    close: number,
    volume: number,
    arrival: BarArrival,
    regular: boolean,
    sessionDate: string,
    provenance: Provenance,
  ): void;
  /** Every event other than `bar` (`sessionStart`, `rejected`, `clear`, `repairCounts`, `corporateAction`), as listeners get it. */
  onEvent?(event: SessionDataEvent): void;
}
