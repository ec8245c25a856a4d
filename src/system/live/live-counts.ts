/** What a `LiveSession` counted so far (`sessiondata live --json` prints most of it). */
export interface LiveCounts {
  /** Bars the session stored in `SessionData` from the feed and from upkeep (warm-up excluded). */
  readonly bars: number;
  /** `barLate` events: minutes not seen `lateAfterMs` after they closed. */
  readonly late: number;
  /** Bars stored as `refilled` (the feed's backfill after a reconnect, upkeep's repairs). */
  readonly refilled: number;
  /** Bars stored as `corrected` (a provider's replacement). */
  readonly corrected: number;
  /** Times the feed went `reconnecting` after a drop or a stall (not each failed attempt). */
  readonly reconnects: number;
  /** Bars written to the `BarStore`. */
  readonly stored: number;
  /** Bars loaded from the store at start for warm-up (prior sessions, today's so far). */
  readonly warmup: number;
  /**
   * Refusals by reason: the feed's fault kinds (`malformed`, `invalid-bar`, `unsubscribed`,
   * `backfill`, …) and the session's own (`previous-session`, `no-session`, `future`,
   * `invalid-bar`, `store-write`).
   */
  readonly rejected: Readonly<Record<string, number>>;
}
