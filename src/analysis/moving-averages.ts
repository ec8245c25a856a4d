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
  /**
   * The window in slots `[0, period)`, then the running sum and the undo state's two numbers
   * (see below): every number an update touches in one typed array. As class fields they were
   * heap-allocated boxes each, one pointer chase (and, across 500 symbols, one cache miss) apiece.
   */
  readonly #s: Float64Array;
  readonly #sumAt: number;
  /** Slot the next value goes to; the oldest value once the ring is full. */
  #head = 0;
  #filled = 0;
  #sinceAnchor = 0;
  readonly #anchorEvery: number;
  // The state the latest update started from (the value it overwrote in the ring included, in
  // slots sumAt + 1 and + 2): replace() undoes that update and redoes it with the new value, so a
  // corrected bar leaves exactly the sum in-order arrival gives, where `sum += new - old` drifted.
  #undoFilled = 0;
  #undoSince = 0;

  constructor(period: number) {
    this.period = requirePeriod("SMA period", period);
    this.name = `sma${period}`;
    this.warmupPeriod = period;
    this.#s = new Float64Array(period + 3);
    this.#sumAt = period;
    this.#anchorEvery = Math.max(period, 1024);
  }

  get isReady(): boolean {
    return this.#filled === this.period;
  }

  get value(): number | undefined {
    return this.#filled === this.period ? this.#s[this.#sumAt]! / this.period : undefined;
  }

  update(bar: Bar): void {
    this.updateValue(bar.close);
  }

  replace(bar: Bar): void {
    this.replaceValue(bar.close);
  }

  /** Feeds a plain number (the SMA of any series, not only closes). */
  updateValue(x: number): void {
    const s = this.#s;
    const head = this.#head;
    const at = this.#sumAt;
    const sum = s[at]!;
    const out = s[head]!;
    s[at + 1] = sum;
    s[at + 2] = out;
    this.#undoFilled = this.#filled;
    this.#undoSince = this.#sinceAnchor;
    if (this.#filled < this.period) {
      this.#filled++;
      s[at] = sum + x;
    } else {
      s[at] = sum + (x - out);
    }
    s[head] = x;
    this.#head = head + 1 === this.period ? 0 : head + 1;
    if (++this.#sinceAnchor >= this.#anchorEvery) this.#reanchor();
  }

  /** Replaces the most recent plain number fed. */
  replaceValue(x: number): void {
    if (this.#filled === 0) {
      this.updateValue(x);
      return;
    }
    const s = this.#s;
    const at = this.#sumAt;
    const last = this.#head === 0 ? this.period - 1 : this.#head - 1;
    s[last] = s[at + 2]!;
    this.#head = last;
    s[at] = s[at + 1]!;
    this.#filled = this.#undoFilled;
    this.#sinceAnchor = this.#undoSince;
    this.updateValue(x);
  }

  reset(): void {
    this.#s.fill(0);
    this.#head = 0;
    this.#filled = 0;
    this.#sinceAnchor = 0;
    this.#undoFilled = this.#undoSince = 0;
  }

  clone(): Sma {
    const copy = new Sma(this.period);
    copy.#s.set(this.#s);
    copy.#head = this.#head;
    copy.#filled = this.#filled;
    copy.#sinceAnchor = this.#sinceAnchor;
    copy.#undoFilled = this.#undoFilled;
    copy.#undoSince = this.#undoSince;
    return copy;
  }

  /** Price-valued throughout: the window, its sum and the undo state. */
  rescale(price: number, _volume: number): void {
    const s = this.#s;
    for (let i = 0; i < s.length; i++) s[i] = s[i]! * price;
  }

  #reanchor(): void {
    // Oldest first, as trading-signals sums its window.
    const s = this.#s;
    const n = this.#filled;
    const start = n < this.period ? 0 : this.#head;
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const j = start + i;
      sum += s[j < this.period ? j : j - this.period]!;
    }
    s[this.#sumAt] = sum;
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
  /**
   * `k`, `1 - k`, the EMA, and the EMA before the latest update (for `replace`; NaN before the
   * second update): one small typed array rather than four boxed number fields (see `Sma`).
   */
  readonly #s = new Float64Array([Number.NaN, Number.NaN, Number.NaN, Number.NaN]);
  #count = 0;

  constructor(period: number) {
    this.period = requirePeriod("EMA period", period);
    this.name = `ema${period}`;
    this.warmupPeriod = period;
    const k = 2 / (period + 1);
    this.#s[0] = k;
    this.#s[1] = 1 - k;
  }

  get isReady(): boolean {
    return this.#count >= this.period;
  }

  get value(): number | undefined {
    return this.#count >= this.period ? this.#s[2] : undefined;
  }

  /** The running EMA even before it is ready (NaN before the first value). */
  get current(): number {
    return this.#s[2]!;
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
    const s = this.#s;
    const previous = s[2]!;
    s[3] = previous;
    // `x * k + x * (1 - k)` for the first value, not `x`: the very operations trading-signals uses.
    s[2] = x * s[0]! + (this.#count === 0 ? x : previous) * s[1]!;
    this.#count++;
  }

  /** Replaces the most recent plain number fed. */
  replaceValue(x: number): void {
    if (this.#count === 0) {
      this.updateValue(x);
      return;
    }
    const s = this.#s;
    s[2] = x * s[0]! + (this.#count === 1 ? x : s[3]!) * s[1]!;
  }

  reset(): void {
    this.#count = 0;
    this.#s[2] = this.#s[3] = Number.NaN;
  }

  clone(): Ema {
    const copy = new Ema(this.period);
    copy.copyFrom(this);
    return copy;
  }

  /** Price-valued: the average and the one before the latest update. */
  rescale(price: number, _volume: number): void {
    this.#s[2] = this.#s[2]! * price;
    this.#s[3] = this.#s[3]! * price;
  }

  /** Takes over the state of another EMA of the same period. */
  copyFrom(other: Ema): void {
    this.#count = other.#count;
    this.#s[2] = other.#s[2]!;
    this.#s[3] = other.#s[3]!;
  }
}
