import type { Bar } from "../domain/bar.js";

/** What an indicator reports: one number, or named numbers for multi-line indicators. */
export type IndicatorValue = number | Readonly<Record<string, number>>;

/**
 * The port of an incremental indicator. `update` costs O(1) whatever the window: running sums
 * and ring buffers, never a re-scan.
 *
 * Indicators copy what they need out of a bar and never keep the bar object, so a caller may
 * reuse one mutable bar for a whole series (the built-ins do; adapters of other libraries may
 * not, see {@link fromTradingSignals}).
 */
export interface Indicator {
  /** The name results are keyed by, e.g. `sma50`, `ema20`, `rsi14`, `bollinger20_2`. */
  readonly name: string;
  /**
   * The current value: a number, an object of named numbers for multi-line indicators
   * (`{ macd, signal, histogram }`), or `undefined` until ready.
   */
  readonly value: IndicatorValue | undefined;
  /** Whether enough bars have been seen for `value` to be meaningful. */
  readonly isReady: boolean;
  /**
   * How many bars the indicator needs before it is ready (optional). The engine sizes its
   * default warm-up from it.
   */
  readonly warmupPeriod?: number;
  /** Feeds the next bar in time order. */
  update(bar: Bar): void;
  /** Replaces the most recently fed bar (a correction of the latest bar). */
  replace(bar: Bar): void;
  /** Forgets everything fed so far. */
  reset(): void;
  /**
   * Called before the first bar of each trading session (optional). Session-scoped indicators
   * (VWAP) start over; series indicators ignore it, so they run on across sessions.
   */
  startSession?(sessionDate: string): void;
  /**
   * An independent copy in the same state (optional). The engine snapshots a symbol's set at
   * each session start so a late bar costs a replay of the session only; without `clone` it
   * rebuilds from history instead.
   */
  clone?(): Indicator;
  /**
   * Rescales the state to new price units (optional): every price-valued number × `price`,
   * every volume-valued one × `volume`. A raw-price replay calls it at a split (a 2-for-1:
   * `price` 0.5, `volume` 2), so the indicator goes on as if every bar fed so far had been in the
   * new units: raw-mode values equal split-adjusted ones times the factor. Without it, state
   * keeps the old units across the split.
   */
  rescale?(price: number, volume: number): void;
}

/** Makes a fresh indicator in its initial state. */
export type IndicatorFactory = () => Indicator;
