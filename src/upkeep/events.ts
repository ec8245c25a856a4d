import type { Gap } from "./gap.js";

/**
 * What {@link DataUpkeep.subscribe} listeners hear, synchronously inside `runOnce`, in a
 * deterministic order: symbols sorted, gaps in time order.
 */
export type UpkeepEvent =
  | {
      /** Missing minutes were found that no earlier run had seen (the gap as seen now). */
      readonly type: "gapDetected";
      readonly gap: Gap;
      readonly sessionDate: string;
    }
  | {
      /** Bars from the source were written into the store for these consecutive minutes. */
      readonly type: "gapFilled";
      readonly gap: Gap;
      readonly sessionDate: string;
      /** Requests it took, the successful one included. */
      readonly attempts: number;
    }
  | {
      /**
       * These minutes are given up for the session: the source answered without them (no trade
       * that minute, a halt), refused for good, or kept failing past the retry budget.
       */
      readonly type: "gapUnfillable";
      readonly gap: Gap;
      readonly sessionDate: string;
      readonly reason: string;
      readonly attempts: number;
    }
  | {
      /** A symbol's bar quality (present ÷ expected so far × 100) differs from the last one reported. */
      readonly type: "qualityChanged";
      readonly symbol: string;
      readonly sessionDate: string;
      readonly quality: number;
      readonly previous: number;
      readonly expected: number;
      readonly present: number;
    };

/** A subscriber to {@link UpkeepEvent}s. What it throws is caught and counted, never breaks upkeep. */
export type UpkeepListener = (event: UpkeepEvent) => void;

/** A gap given up, with why. */
export interface UnfillableGap extends Gap {
  readonly sessionDate: string;
  readonly reason: string;
}

/**
 * What upkeep did so far (`DataUpkeep.report()`), JSON-ready. Counts are of minutes (bars) unless
 * named after requests. A type alias (not an interface) so it is a `Record<string, unknown>`, as
 * a backtest report's `upkeep` section wants.
 */
export type UpkeepReport = {
  /** `runOnce` calls completed. */
  readonly runs: number;
  /** Timer rounds that ended in an unexpected exception (a bug, not a source failure). */
  readonly runErrors: number;
  /** Sessions seen. */
  readonly sessions: number;
  /**
   * (symbol, session) pairs inside a symbol's stored range that a replay passed over because no
   * symbol had a bar then (`countMissingSession`); their minutes are in `barsMissing` and count
   * against `finalQuality`.
   */
  readonly missingSessions: number;
  /** Gaps seen for the first time (a gap that grows between runs is counted once). */
  readonly gapsDetected: number;
  /** Missing minutes seen (each minute once per session). */
  readonly barsMissing: number;
  /** Bars written from the source. */
  readonly barsFilled: number;
  /** Minutes given up. */
  readonly barsUnfillable: number;
  /** Source requests made, retries included. */
  readonly requests: number;
  /** Requests after a failed one (at most `attempts - 1` per gap). */
  readonly retries: number;
  /** Requests that failed (threw). */
  readonly failedRequests: number;
  /** Backoff delays asked of the sleep function, ms (spent only with a real sleep). */
  readonly backoffMs: number;
  /** Bars the source returned that could not be stored (invalid, or the session had moved on). */
  readonly barsRejected: number;
  /** Exceptions thrown by listeners (caught). */
  readonly listenerErrors: number;
  /**
   * Present ÷ expected × 100 over every symbol and session as of its last check (100 when nothing
   * was expected yet).
   */
  readonly finalQuality: number;
  /** The lowest quality of one symbol in one session at its last check. */
  readonly minQuality: number;
  /** Expected and present bars behind `finalQuality`. */
  readonly expectedBars: number;
  readonly presentBars: number;
  /** The first 100 unfillable gaps, in the order they were given up. */
  readonly unfillableGaps: readonly UnfillableGap[];
};
