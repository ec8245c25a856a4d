import type { Bar } from "../domain/bar.js";

/**
 * The port of an incremental indicator. `update` costs O(1) whatever the window: running sums
 * and ring buffers, never a re-scan.
 */
export interface Indicator {
  /** The name results are keyed by, e.g. `sma50`, `ema20`, `rsi14`, `bollinger20_2`. */
  readonly name: string;
  /**
   * The current value: a number, an object of named numbers for multi-line indicators
   * (`{ macd, signal, histogram }`), or `undefined` until ready.
   */
  readonly value: number | Readonly<Record<string, number>> | undefined;
  /** Whether enough bars have been seen for `value` to be meaningful. */
  readonly isReady: boolean;
  /** Feeds the next bar in time order. */
  update(bar: Bar): void;
  /** Replaces the most recently fed bar (a correction of the latest bar). */
  replace(bar: Bar): void;
  /** Forgets everything fed so far. */
  reset(): void;
}
