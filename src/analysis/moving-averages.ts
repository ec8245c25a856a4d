import type { Bar } from "../domain/bar.js";
import type { Indicator } from "./indicator.js";
import { requirePeriod } from "./params.js";

/**
 * Simple moving average of the close over the last `period` bars.
 *
 * Reference: the arithmetic mean of the window, as in J. J. Murphy, *Technical Analysis of the
 * Financial Markets* (1999), ch. 9; values match `trading-signals`' `SMA`.
 *
 * O(1) per update: a running sum over a `Float64Array` ring. The running sum accumulates one
 * rounding error per update, so it is re-anchored (summed afresh from the ring, oldest first)
 * every `max(period, 1024)` updates: amortised at most one extra addition per update, and the
 * drift stays below ~1e-13 relative however long the series.
 *
 * @example
 * ```ts
 * const sma = new Sma(50);
 * for (const bar of bars) sma.update(bar);
 * if (sma.isReady) console.log(sma.value);
 * ```
 */
export class Sma implements Indicator {
  readonly name: string;
  /** Bars in the window. */
  readonly period: number;
  readonly warmupPeriod: number;
  #ring: Float64Array;
  /** Slot the next value goes to; the oldest value once the ring is full. */
  #head = 0;
  #filled = 0;
  #sum = 0;
  #sinceAnchor = 0;
  readonly #anchorEvery: number;
  // The state the latest update started from (the value it overwrote in the ring included):
  // replace() undoes that update and redoes it with the new value, so a corrected bar leaves
  // exactly the sum in-order arrival gives, where `sum += new - old` drifted by an ulp or so.
  #undoSum = 0;
  #undoOut = 0;
  #undoFilled = 0;
  #undoSince = 0;

  constructor(period: number) {
    this.period = requirePeriod("SMA period", period);
    this.name = `sma${period}`;
    this.warmupPeriod = period;
    this.#ring = new Float64Array(period);
    this.#anchorEvery = Math.max(period, 1024);
  }

  get isReady(): boolean {
    return this.#filled === this.period;
  }

  get value(): number | undefined {
    return this.#filled === this.period ? this.#sum / this.period : undefined;
  }

  update(bar: Bar): void {
    this.updateValue(bar.close);
  }

  replace(bar: Bar): void {
    this.replaceValue(bar.close);
  }

  /** Feeds a plain number (the SMA of any series, not only closes). */
  updateValue(x: number): void {
    const ring = this.#ring;
    const head = this.#head;
    this.#undoSum = this.#sum;
    this.#undoOut = ring[head];
    this.#undoFilled = this.#filled;
    this.#undoSince = this.#sinceAnchor;
    if (this.#filled < this.period) {
      this.#filled++;
      this.#sum += x;
    } else {
      this.#sum += x - ring[head];
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
    this.#sum = this.#undoSum;
    this.#filled = this.#undoFilled;
    this.#sinceAnchor = this.#undoSince;
    this.updateValue(x);
  }

  reset(): void {
    this.#ring.fill(0);
    this.#head = 0;
    this.#filled = 0;
    this.#sum = 0;
    this.#sinceAnchor = 0;
    this.#undoSum = this.#undoOut = this.#undoFilled = this.#undoSince = 0;
  }

  clone(): Sma {
    const copy = new Sma(this.period);
    copy.#ring.set(this.#ring);
    copy.#head = this.#head;
    copy.#filled = this.#filled;
    copy.#sum = this.#sum;
    copy.#sinceAnchor = this.#sinceAnchor;
    copy.#undoSum = this.#undoSum;
    copy.#undoOut = this.#undoOut;
    copy.#undoFilled = this.#undoFilled;
    copy.#undoSince = this.#undoSince;
    return copy;
  }

  /** Price-valued throughout: the window, its sum and the undo state. */
  rescale(price: number, _volume: number): void {
    const ring = this.#ring;
    for (let i = 0; i < ring.length; i++) ring[i] = ring[i]! * price;
    this.#sum *= price;
    this.#undoSum *= price;
    this.#undoOut *= price;
  }

  #reanchor(): void {
    // Oldest first, as trading-signals sums its window.
    const ring = this.#ring;
    const n = this.#filled;
    const start = n < this.period ? 0 : this.#head;
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const j = start + i;
      sum += ring[j < this.period ? j : j - this.period];
    }
    this.#sum = sum;
    this.#sinceAnchor = 0;
  }
}

/**
 * Exponential moving average of the close, weight `k = 2 / (period + 1)`.
 *
 * Reference: P. N. Haurlan, *Measuring Trend Values* (1968), as presented in Murphy (1999),
 * ch. 9. Seeded as `trading-signals`' `EMA` seeds it: the first value is the first close, and
 * the EMA reports a value once `period` closes have been seen (computed with the same operations,
 * so values agree to the last bit).
 *
 * @example
 * ```ts
 * const ema = new Ema(20);
 * ema.update(bar);
 * ema.value; // undefined until 20 bars
 * ```
 */
export class Ema implements Indicator {
  readonly name: string;
  readonly period: number;
  readonly warmupPeriod: number;
  readonly #k: number;
  readonly #oneMinusK: number;
  #count = 0;
  #ema = Number.NaN;
  /** The EMA before the latest update, for `replace`. NaN before the second update. */
  #previous = Number.NaN;

  constructor(period: number) {
    this.period = requirePeriod("EMA period", period);
    this.name = `ema${period}`;
    this.warmupPeriod = period;
    this.#k = 2 / (period + 1);
    this.#oneMinusK = 1 - this.#k;
  }

  get isReady(): boolean {
    return this.#count >= this.period;
  }

  get value(): number | undefined {
    return this.#count >= this.period ? this.#ema : undefined;
  }

  /** The running EMA even before it is ready (NaN before the first value). */
  get current(): number {
    return this.#ema;
  }

  /** Values fed so far. */
  get count(): number {
    return this.#count;
  }

  update(bar: Bar): void {
    this.updateValue(bar.close);
  }

  replace(bar: Bar): void {
    this.replaceValue(bar.close);
  }

  /** Feeds a plain number. */
  updateValue(x: number): void {
    const previous = this.#ema;
    this.#previous = previous;
    // `x * k + x * (1 - k)` for the first value, not `x`: the very operations trading-signals uses.
    this.#ema = x * this.#k + (this.#count === 0 ? x : previous) * this.#oneMinusK;
    this.#count++;
  }

  /** Replaces the most recent plain number fed. */
  replaceValue(x: number): void {
    if (this.#count === 0) {
      this.updateValue(x);
      return;
    }
    this.#ema = x * this.#k + (this.#count === 1 ? x : this.#previous) * this.#oneMinusK;
  }

  reset(): void {
    this.#count = 0;
    this.#ema = Number.NaN;
    this.#previous = Number.NaN;
  }

  clone(): Ema {
    const copy = new Ema(this.period);
    copy.copyFrom(this);
    return copy;
  }

  /** Price-valued: the average and the one before the latest update. */
  rescale(price: number, _volume: number): void {
    this.#ema *= price;
    this.#previous *= price;
  }

  /** Takes over the state of another EMA of the same period. */
  copyFrom(other: Ema): void {
    this.#count = other.#count;
    this.#ema = other.#ema;
    this.#previous = other.#previous;
  }
}
