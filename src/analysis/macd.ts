import type { Bar } from "../domain/bar.js";
import { InvalidArgumentError } from "../domain/errors.js";
import type { Indicator } from "./indicator.js";
import { Ema } from "./moving-averages.js";
import { requirePeriod } from "./params.js";

/** The three lines of a {@link Macd}. */
// A type literal, not an interface, so it fits the port's `Readonly<Record<string, number>>`.
export type MacdValue = {
  /** Fast EMA minus slow EMA of the close. */
  readonly macd: number;
  /** EMA of the MACD line. */
  readonly signal: number;
  /** MACD minus signal. */
  readonly histogram: number;
};

/**
 * Moving Average Convergence/Divergence (default 12/26/9).
 *
 * Reference: Gerald Appel, *The Moving Average Convergence-Divergence Trading Method* (1979)
 * and *Technical Analysis: Power Tools for Active Investors* (2005): MACD = EMA(fast) - EMA(slow)
 * of the close, signal = EMA(signal) of the MACD line, histogram = MACD - signal.
 *
 * Built as `trading-signals`' `MACD(new EMA(12), new EMA(26), new EMA(9))` is: both EMAs run from
 * the first close (seeded with it), the MACD line starts at close number `slow`, and the signal
 * EMA is fed from there. `trading-signals` already reports at close `slow` while the signal EMA
 * has seen a single value; this one is ready only when the signal EMA has seen `signal` values
 * (close `slow + signal - 1`, the 34th by default). From then on the values agree to the last bit.
 *
 * @example
 * ```ts
 * const macd = new Macd(12, 26, 9);
 * for (const bar of bars) macd.update(bar);
 * macd.value; // { macd, signal, histogram } | undefined
 * ```
 */
export class Macd implements Indicator {
  readonly name: string;
  readonly fast: number;
  readonly slow: number;
  readonly signalPeriod: number;
  readonly warmupPeriod: number;
  readonly #fast: Ema;
  readonly #slow: Ema;
  readonly #signal: Ema;

  constructor(fast = 12, slow = 26, signal = 9) {
    this.fast = requirePeriod("MACD fast period", fast);
    this.slow = requirePeriod("MACD slow period", slow);
    this.signalPeriod = requirePeriod("MACD signal period", signal);
    if (fast >= slow) {
      throw new InvalidArgumentError(
        `MACD fast period must be below the slow period, got ${fast} and ${slow}`,
      );
    }
    this.name = `macd${fast}_${slow}_${signal}`;
    this.warmupPeriod = slow + signal - 1;
    this.#fast = new Ema(fast);
    this.#slow = new Ema(slow);
    this.#signal = new Ema(signal);
  }

  get isReady(): boolean {
    return this.#signal.isReady;
  }

  get value(): MacdValue | undefined {
    if (!this.#signal.isReady) return undefined;
    const macd = this.#fast.current - this.#slow.current;
    const signal = this.#signal.current;
    return { macd, signal, histogram: macd - signal };
  }

  update(bar: Bar): void {
    this.updateValue(bar.close);
  }

  replace(bar: Bar): void {
    this.replaceValue(bar.close);
  }

  /** Feeds a plain number. */
  updateValue(x: number): void {
    this.#fast.updateValue(x);
    this.#slow.updateValue(x);
    if (this.#slow.count >= this.slow) {
      this.#signal.updateValue(this.#fast.current - this.#slow.current);
    }
  }

  /** Replaces the most recent plain number fed. */
  replaceValue(x: number): void {
    if (this.#slow.count === 0) {
      this.updateValue(x);
      return;
    }
    this.#fast.replaceValue(x);
    this.#slow.replaceValue(x);
    if (this.#slow.count >= this.slow) {
      this.#signal.replaceValue(this.#fast.current - this.#slow.current);
    }
  }

  reset(): void {
    this.#fast.reset();
    this.#slow.reset();
    this.#signal.reset();
  }

  /** Both EMAs and the signal line (an EMA of their difference) are prices. */
  rescale(price: number, volume: number): void {
    this.#fast.rescale(price, volume);
    this.#slow.rescale(price, volume);
    this.#signal.rescale(price, volume);
  }

  clone(): Macd {
    const copy = new Macd(this.fast, this.slow, this.signalPeriod);
    copy.#fast.copyFrom(this.#fast);
    copy.#slow.copyFrom(this.#slow);
    copy.#signal.copyFrom(this.#signal);
    return copy;
  }
}
