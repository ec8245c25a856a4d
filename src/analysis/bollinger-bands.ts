import type { Bar } from "../domain/bar.js";
import type { Indicator } from "./indicator.js";
import { requirePeriod, requirePositive } from "./params.js";

/** The three bands of {@link BollingerBands}. */
// A type literal, not an interface, so it fits the port's `Readonly<Record<string, number>>`.
export type BollingerValue = {
  /** Middle band plus `multiplier` standard deviations. */
  readonly upper: number;
  /** The SMA of the close over the window. */
  readonly middle: number;
  /** Middle band minus `multiplier` standard deviations. */
  readonly lower: number;
};

/**
 * Bollinger Bands of the close (default 20 bars, 2 standard deviations).
 *
 * Reference: John Bollinger, *Bollinger on Bollinger Bands* (2001): middle = SMA(period),
 * bands = middle ± multiplier × the population standard deviation of the same window (divide by
 * `period`, not `period - 1`), as Bollinger and `trading-signals` compute it.
 *
 * O(1) per update: shifted running sums Σ(x - a) and Σ(x - a)² over a `Float64Array` ring. The
 * shift `a` sits near the window's mean, which keeps `Σ(x-a)²/n - (Σ(x-a)/n)²` free of the
 * catastrophic cancellation a plain sum of squares suffers at prices like 47,000 with a spread
 * of a few dollars. Every `max(period, 256)` updates the shift moves to the current mean and both
 * sums are recomputed from the ring: amortised at most two extra operations per update, and no
 * drift however long the series. Agrees with `trading-signals`' two-pass computation to ~1e-12
 * relative.
 *
 * @example
 * ```ts
 * const bb = new BollingerBands(20, 2);
 * for (const bar of bars) bb.update(bar);
 * bb.value; // { upper, middle, lower } | undefined
 * ```
 */
export class BollingerBands implements Indicator {
  readonly name: string;
  readonly period: number;
  readonly multiplier: number;
  readonly warmupPeriod: number;
  readonly #ring: Float64Array;
  readonly #anchorEvery: number;
  #head = 0;
  #filled = 0;
  #shift = 0;
  #sum = 0;
  #sumSquares = 0;
  #sinceAnchor = 0;
  // The state the latest update started from: replace() undoes it and redoes the update with
  // the new value, exactly as in-order arrival (see Sma).
  #undoOut = 0;
  #undoFilled = 0;
  #undoShift = 0;
  #undoSum = 0;
  #undoSumSquares = 0;
  #undoSince = 0;

  constructor(period = 20, multiplier = 2) {
    this.period = requirePeriod("Bollinger period", period);
    this.multiplier = requirePositive("Bollinger multiplier", multiplier);
    this.name = `bollinger${period}_${multiplier}`;
    this.warmupPeriod = period;
    this.#ring = new Float64Array(period);
    this.#anchorEvery = Math.max(period, 256);
  }

  get isReady(): boolean {
    return this.#filled === this.period;
  }

  get value(): BollingerValue | undefined {
    if (this.#filled !== this.period) return undefined;
    const middle = this.#shift + this.#sum / this.period;
    const deviation = this.standardDeviation * this.multiplier;
    return { upper: middle + deviation, middle, lower: middle - deviation };
  }

  /** The population standard deviation of the window (NaN until ready). */
  get standardDeviation(): number {
    if (this.#filled !== this.period) return Number.NaN;
    const mean = this.#sum / this.period;
    const variance = this.#sumSquares / this.period - mean * mean;
    // A flat window can leave a rounding residue just below zero.
    return variance > 0 ? Math.sqrt(variance) : 0;
  }

  update(bar: Bar): void {
    this.updateValue(bar.close);
  }

  replace(bar: Bar): void {
    this.replaceValue(bar.close);
  }

  /** Feeds a plain number. */
  updateValue(x: number): void {
    const ring = this.#ring;
    const head = this.#head;
    this.#undoOut = ring[head];
    this.#undoFilled = this.#filled;
    this.#undoShift = this.#shift;
    this.#undoSum = this.#sum;
    this.#undoSumSquares = this.#sumSquares;
    this.#undoSince = this.#sinceAnchor;
    if (this.#filled === 0) this.#shift = x;
    const d = x - this.#shift;
    if (this.#filled < this.period) {
      this.#filled++;
      this.#sum += d;
      this.#sumSquares += d * d;
    } else {
      const old = ring[head] - this.#shift;
      this.#sum += d - old;
      this.#sumSquares += d * d - old * old;
    }
    ring[head] = x;
    this.#head = head + 1 === this.period ? 0 : head + 1;
    if (++this.#sinceAnchor >= this.#anchorEvery) this.#reanchor();
  }

  /** Replaces the most recent plain number fed. */
  replaceValue(x: number): void {
    if (this.#filled === 0) {
      this.updateValue(x);
      return;
    }
    const last = this.#head === 0 ? this.period - 1 : this.#head - 1;
    this.#ring[last] = this.#undoOut;
    this.#head = last;
    this.#filled = this.#undoFilled;
    this.#shift = this.#undoShift;
    this.#sum = this.#undoSum;
    this.#sumSquares = this.#undoSumSquares;
    this.#sinceAnchor = this.#undoSince;
    this.updateValue(x);
  }

  reset(): void {
    this.#ring.fill(0);
    this.#head = 0;
    this.#filled = 0;
    this.#shift = 0;
    this.#sum = 0;
    this.#sumSquares = 0;
    this.#sinceAnchor = 0;
    this.#undoOut = this.#undoFilled = this.#undoShift = 0;
    this.#undoSum = this.#undoSumSquares = this.#undoSince = 0;
  }

  clone(): BollingerBands {
    const copy = new BollingerBands(this.period, this.multiplier);
    copy.#ring.set(this.#ring);
    copy.#head = this.#head;
    copy.#filled = this.#filled;
    copy.#shift = this.#shift;
    copy.#sum = this.#sum;
    copy.#sumSquares = this.#sumSquares;
    copy.#sinceAnchor = this.#sinceAnchor;
    copy.#undoOut = this.#undoOut;
    copy.#undoFilled = this.#undoFilled;
    copy.#undoShift = this.#undoShift;
    copy.#undoSum = this.#undoSum;
    copy.#undoSumSquares = this.#undoSumSquares;
    copy.#undoSince = this.#undoSince;
    return copy;
  }

  /** The window, shift and sum are prices; the sum of squares is in price². */
  rescale(price: number, _volume: number): void {
    const ring = this.#ring;
    for (let i = 0; i < ring.length; i++) ring[i] = ring[i]! * price;
    const squared = price * price;
    this.#shift *= price;
    this.#sum *= price;
    this.#sumSquares *= squared;
    this.#undoOut *= price;
    this.#undoShift *= price;
    this.#undoSum *= price;
    this.#undoSumSquares *= squared;
  }

  #reanchor(): void {
    const ring = this.#ring;
    const n = this.#filled;
    const shift = this.#shift + this.#sum / n;
    let sum = 0;
    let sumSquares = 0;
    for (let i = 0; i < n; i++) {
      const d = ring[i] - shift;
      sum += d;
      sumSquares += d * d;
    }
    this.#shift = shift;
    this.#sum = sum;
    this.#sumSquares = sumSquares;
    this.#sinceAnchor = 0;
  }
}
