import type { Bar } from "../domain/bar.js";
import type { Indicator } from "./indicator.js";
import { requirePeriod } from "./params.js";

const FACTOR = 0;
const LAST = 1;
const PREVIOUS = 2;
const GAIN = 3;
const LOSS = 4;
const PREVIOUS_GAIN = 5;
const PREVIOUS_LOSS = 6;

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
  /** Gains and losses of the first `period` changes, kept until the seed is computed. */
  readonly #seedGain: Float64Array;
  readonly #seedLoss: Float64Array;
  #closes = 0;
  /** Changes seen (closes - 1). */
  #changes = 0;
  /**
   * The numbers an update reads and writes, in one small typed array rather than seven boxed
   * number fields (see `Sma`): slots FACTOR (1 / period), LAST (the latest close), PREVIOUS (the
   * close before it: the base of the latest change), GAIN and LOSS (the averages), and
   * PREVIOUS_GAIN/PREVIOUS_LOSS (the averages before the latest change, for `replace`).
   */
  readonly #v = new Float64Array(7).fill(Number.NaN);

  constructor(period = 14) {
    this.period = requirePeriod("RSI period", period);
    this.name = `rsi${period}`;
    this.warmupPeriod = period + 1;
    this.#v[FACTOR] = 1 / period;
    this.#seedGain = new Float64Array(period);
    this.#seedLoss = new Float64Array(period);
  }

  get isReady(): boolean {
    return this.#changes >= this.period;
  }

  get value(): number | undefined {
    if (this.#changes < this.period) return undefined;
    const avgLoss = this.#v[LOSS]!;
    if (avgLoss === 0) return 100;
    return 100 - 100 / (this.#v[GAIN]! / avgLoss + 1);
  }

  update(bar: Bar): void {
    this.updateValue(bar.close);
  }

  replace(bar: Bar): void {
    this.replaceValue(bar.close);
  }

  /** Feeds a plain number. */
  updateValue(x: number): void {
    const previous = this.#v[LAST]!;
    this.#v[LAST] = x;
    if (++this.#closes === 1) return;
    this.#v[PREVIOUS] = previous;
    // max(…, 0) equals trading-signals' `x > previous ? … : 0` bit for bit, without a branch to mispredict.
    const gain = Math.max(x - previous, 0);
    const loss = Math.max(previous - x, 0);
    const n = ++this.#changes;
    if (n > this.period) {
      const g = this.#v[GAIN]!;
      const l = this.#v[LOSS]!;
      this.#v[PREVIOUS_GAIN] = g;
      this.#v[PREVIOUS_LOSS] = l;
      this.#v[GAIN] = (gain - g) * this.#v[FACTOR]! + g;
      this.#v[LOSS] = (loss - l) * this.#v[FACTOR]! + l;
    } else {
      this.#seed(n, gain, loss);
    }
  }

  /** Replaces the most recent plain number fed. */
  replaceValue(x: number): void {
    if (this.#closes <= 1) {
      this.#closes = 1;
      this.#v[LAST] = x;
      return;
    }
    this.#v[LAST] = x;
    const previous = this.#v[PREVIOUS]!;
    const gain = Math.max(x - previous, 0);
    const loss = Math.max(previous - x, 0);
    const n = this.#changes;
    if (n > this.period) {
      const g = this.#v[PREVIOUS_GAIN]!;
      const l = this.#v[PREVIOUS_LOSS]!;
      this.#v[GAIN] = (gain - g) * this.#v[FACTOR]! + g;
      this.#v[LOSS] = (loss - l) * this.#v[FACTOR]! + l;
    } else {
      this.#seed(n, gain, loss);
    }
  }

  reset(): void {
    this.#closes = 0;
    this.#changes = 0;
    this.#v.fill(Number.NaN, LAST);
  }

  clone(): Rsi {
    const copy = new Rsi(this.period);
    copy.#seedGain.set(this.#seedGain);
    copy.#seedLoss.set(this.#seedLoss);
    copy.#v.set(this.#v);
    copy.#closes = this.#closes;
    copy.#changes = this.#changes;

    return copy;
  }

  /**
   * Closes and average gains and losses are prices: all × `price`, so the RSI (their ratio) is
   * unchanged and the first change after a split is measured in the new units.
   */
  rescale(price: number, _volume: number): void {
    this.#v[LAST] = this.#v[LAST]! * price;
    this.#v[PREVIOUS] = this.#v[PREVIOUS]! * price;
    this.#v[GAIN] = this.#v[GAIN]! * price;
    this.#v[LOSS] = this.#v[LOSS]! * price;
    this.#v[PREVIOUS_GAIN] = this.#v[PREVIOUS_GAIN]! * price;
    this.#v[PREVIOUS_LOSS] = this.#v[PREVIOUS_LOSS]! * price;
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
    this.#v[GAIN] = g / this.period;
    this.#v[LOSS] = l / this.period;
  }
}
