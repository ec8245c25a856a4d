import type { Bar } from "../domain/bar.js";
import type { Indicator } from "./indicator.js";
import { requirePeriod } from "./params.js";

/**
 * Relative Strength Index of the close with Wilder's smoothing, in [0, 100].
 *
 * Reference: J. Welles Wilder Jr., *New Concepts in Technical Trading Systems* (1978),
 * "The Relative Strength Index": average gain and average loss over `period` changes, seeded
 * with their plain averages and smoothed by `(prev * (period - 1) + current) / period`;
 * `RSI = 100 - 100 / (1 + avgGain / avgLoss)`, and 100 when the average loss is 0 (as
 * `trading-signals` defines it). Ready after `period + 1` closes.
 *
 * Both averages live in one object and share one counter (two `WilderAverage`s would double the
 * bookkeeping); the seed is summed oldest first and the recurrence is written
 * `(x - prev) * (1 / period) + prev`, the very operations of `trading-signals`' `RSI`/`WSMA`, so
 * the two agree to the last bit.
 *
 * @example
 * ```ts
 * const rsi = new Rsi(14);
 * for (const bar of bars) rsi.update(bar);
 * rsi.value; // e.g. 63.2
 * ```
 */
export class Rsi implements Indicator {
  readonly name: string;
  readonly period: number;
  readonly warmupPeriod: number;
  readonly #factor: number;
  /** Gains and losses of the first `period` changes, kept until the seed is computed. */
  readonly #seedGain: Float64Array;
  readonly #seedLoss: Float64Array;
  #closes = 0;
  /** Changes seen (closes - 1). */
  #changes = 0;
  #last = Number.NaN;
  /** The close before the latest one: the base of the latest change. */
  #previous = Number.NaN;
  #avgGain = Number.NaN;
  #avgLoss = Number.NaN;
  /** The averages before the latest change, for `replace`. */
  #previousGain = Number.NaN;
  #previousLoss = Number.NaN;

  constructor(period = 14) {
    this.period = requirePeriod("RSI period", period);
    this.name = `rsi${period}`;
    this.warmupPeriod = period + 1;
    this.#factor = 1 / period;
    this.#seedGain = new Float64Array(period);
    this.#seedLoss = new Float64Array(period);
  }

  get isReady(): boolean {
    return this.#changes >= this.period;
  }

  get value(): number | undefined {
    if (this.#changes < this.period) return undefined;
    const avgLoss = this.#avgLoss;
    if (avgLoss === 0) return 100;
    return 100 - 100 / (this.#avgGain / avgLoss + 1);
  }

  update(bar: Bar): void {
    this.updateValue(bar.close);
  }

  replace(bar: Bar): void {
    this.replaceValue(bar.close);
  }

  /** Feeds a plain number. */
  updateValue(x: number): void {
    const previous = this.#last;
    this.#last = x;
    if (++this.#closes === 1) return;
    this.#previous = previous;
    // max(…, 0) equals trading-signals' `x > previous ? … : 0` bit for bit, without a branch to mispredict.
    const gain = Math.max(x - previous, 0);
    const loss = Math.max(previous - x, 0);
    const n = ++this.#changes;
    if (n > this.period) {
      const g = this.#avgGain;
      const l = this.#avgLoss;
      this.#previousGain = g;
      this.#previousLoss = l;
      this.#avgGain = (gain - g) * this.#factor + g;
      this.#avgLoss = (loss - l) * this.#factor + l;
    } else {
      this.#seed(n, gain, loss);
    }
  }

  /** Replaces the most recent plain number fed. */
  replaceValue(x: number): void {
    if (this.#closes <= 1) {
      this.#closes = 1;
      this.#last = x;
      return;
    }
    this.#last = x;
    const previous = this.#previous;
    const gain = Math.max(x - previous, 0);
    const loss = Math.max(previous - x, 0);
    const n = this.#changes;
    if (n > this.period) {
      const g = this.#previousGain;
      const l = this.#previousLoss;
      this.#avgGain = (gain - g) * this.#factor + g;
      this.#avgLoss = (loss - l) * this.#factor + l;
    } else {
      this.#seed(n, gain, loss);
    }
  }

  reset(): void {
    this.#closes = 0;
    this.#changes = 0;
    this.#last = this.#previous = Number.NaN;
    this.#avgGain = this.#avgLoss = Number.NaN;
    this.#previousGain = this.#previousLoss = Number.NaN;
  }

  clone(): Rsi {
    const copy = new Rsi(this.period);
    copy.#seedGain.set(this.#seedGain);
    copy.#seedLoss.set(this.#seedLoss);
    copy.#closes = this.#closes;
    copy.#changes = this.#changes;
    copy.#last = this.#last;
    copy.#previous = this.#previous;
    copy.#avgGain = this.#avgGain;
    copy.#avgLoss = this.#avgLoss;
    copy.#previousGain = this.#previousGain;
    copy.#previousLoss = this.#previousLoss;
    return copy;
  }

  /**
   * Closes and average gains and losses are prices: all × `price`, so the RSI (their ratio) is
   * unchanged and the first change after a split is measured in the new units.
   */
  rescale(price: number, _volume: number): void {
    this.#last *= price;
    this.#previous *= price;
    this.#avgGain *= price;
    this.#avgLoss *= price;
    this.#previousGain *= price;
    this.#previousLoss *= price;
    for (let i = 0; i < this.period; i++) {
      this.#seedGain[i] = this.#seedGain[i]! * price;
      this.#seedLoss[i] = this.#seedLoss[i]! * price;
    }
  }

  /** Change number `n` (1-based) of the seed window; the seed averages once it is complete. */
  #seed(n: number, gain: number, loss: number): void {
    this.#seedGain[n - 1] = gain;
    this.#seedLoss[n - 1] = loss;
    if (n !== this.period) return;
    let g = 0;
    let l = 0;
    for (let i = 0; i < this.period; i++) {
      g += this.#seedGain[i]!;
      l += this.#seedLoss[i]!;
    }
    this.#avgGain = g / this.period;
    this.#avgLoss = l / this.period;
  }
}
