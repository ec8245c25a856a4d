import type { TradingCalendar } from "../calendar/trading-calendar.js";
import type { Bar } from "../domain/bar.js";
import type { Provenance } from "../domain/provenance.js";
import type { WallClock } from "../domain/wall-clock.js";
import type { BarSource } from "../history/bar-store.js";
import type { RetryPolicy, Sleep } from "./backoff.js";
import type { StoredRange } from "./expected-minutes.js";

/**
 * The part of `SessionData` upkeep uses (the store's class satisfies it): reads of the current
 * session's metrics and 1-minute time column, and the one write entry point every producer
 * shares.
 */
export interface UpkeepSessionData {
  readonly calendar: TradingCalendar;
  readonly currentSession: string | undefined;
  getSeries(
    symbol: string,
  ): { readonly length: number; readonly time: ArrayLike<number> } | undefined;
  /**
   * The current session's metrics: `barCount` counts regular-session bars and `lastBarTime` is
   * the latest of them, which lets a complete symbol be confirmed without touching its columns.
   */
  getSessionMetrics(
    symbol: string,
  ): { readonly barCount: number; readonly lastBarTime: number } | undefined;
  symbols(): string[];
  addBar(symbol: string, bar: Bar, provenance?: Provenance): void;
  setRepairCounts(symbol: string, counts: { filled: number; unfillable: number }): void;
}

/** Options of `DataUpkeep` (src/upkeep/data-upkeep.ts). */
export interface DataUpkeepOptions {
  readonly sessionData: UpkeepSessionData;
  /** Where missing bars are fetched from: a `BarStore`, or anything with `readBars`. */
  readonly source: BarSource;
  /** The calendar that says which minutes are expected; `sessionData.calendar` by default. */
  readonly calendar?: TradingCalendar;
  /** Retry policy; `DEFAULT_RETRY` for what is left out. */
  readonly retry?: Partial<RetryPolicy>;
  /** Run period in ms of the driving clock (simulated in a replay, wall in live use); 60,000. */
  readonly interval?: number;
  /**
   * The symbols to watch. By default every symbol the store has held a bar for since this upkeep
   * was made, so a symbol whose bars all went missing in a later session is still noticed.
   */
  readonly symbols?: readonly string[];
  /**
   * Each symbol's stored range (first and last bar open times; a `BarStore`'s `coverage`):
   * minutes before its first bar and after its last are not expected, so a symbol that enters a
   * replay late or leaves it early has no gaps outside its data. Unless `symbols` is given, the
   * symbols of the map are then the ones watched, from the start (see `setStoredRanges`).
   */
  readonly ranges?: ReadonlyMap<string, StoredRange>;
  /**
   * The jitter source, called once per retry. By default each draw is keyed by (seed, symbol, gap
   * start, retry number), which keeps it independent of the order in which requests fail.
   */
  readonly random?: () => number;
  /** Seed of the default jitter; 1. */
  readonly seed?: number;
  /**
   * How backoff delays are waited: `realSleep` by default; `noWait` in replays and tests,
   * where the delay is only accounted (`report().backoffMs`) and the retry follows at once, so a
   * replay's outcome depends on the data, the options and the seed, never on wall time.
   */
  readonly sleep?: Sleep;
  /** Source requests in flight at once; 4. */
  readonly concurrency?: number;
  /**
   * The clock `start()` runs on: its timer and the time each round checks up to. The system
   * clock by default; a fake one in tests.
   */
  readonly wallClock?: WallClock;
  /** What `start()` reads as the time, when it differs from `wallClock.now` (older form). */
  readonly clock?: () => number;
  /**
   * `start()` checks minutes whose bar closed at least this long ago (ms; 5,000), so a bar that
   * is merely a few seconds late is not fetched twice.
   */
  readonly settleMs?: number;
}
