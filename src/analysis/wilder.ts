import type { Bar } from "../domain/bar.js";
import type { Indicator } from "./indicator.js";
import { requirePeriod } from "./params.js";

/**
 * Wilder's smoothing (an EMA with `alpha = 1 / period`), seeded with the plain average of the
 * first `period` inputs. Internal building block of {@link Atr} (`Rsi` inlines the same steps).
 *
 * The seed is summed oldest first and the recurrence is `(x - prev) * (1 / period) + prev`:
 * the very operations of `trading-signals`' `WSMA`, so both agree to the last bit.
 */
export class WilderAverage {
  readonly period: number;
  readonly #factor: number;
  /** The first `period` inputs, kept until the seed is computed (and for replacing the last of them). */
  readonly #seed: Float64Array;
  #count = 0;
  #value = Number.NaN;
  /** The value before the latest update, for `replace`. */
  #previous = Number.NaN;

  constructor(period: number) {
    this.period = requirePeriod("smoothing period", period);
    this.#factor = 1 / period;
    this.#seed = new Float64Array(period);
  }

  /** Whether `period` inputs have been seen. */
  get isReady(): boolean {
    return this.#count >= this.period;
  }

  /** The smoothed value, NaN until ready. */
  get current(): number {
    return this.#value;
  }

  update(x: number): void {
    const count = ++this.#count;
    if (count > this.period) {
      const previous = this.#value;
      this.#previous = previous;
      this.#value = (x - previous) * this.#factor + previous;
    } else {
      this.#seed[count - 1] = x;
      if (count === this.period) this.#value = this.#seedAverage();
    }
  }

  replace(x: number): void {
    const count = this.#count;
    if (count === 0) {
      this.update(x);
    } else if (count > this.period) {
      const previous = this.#previous;
      this.#value = (x - previous) * this.#factor + previous;
    } else {
      this.#seed[count - 1] = x;
      if (count === this.period) this.#value = this.#seedAverage();
    }
  }

  reset(): void {
    this.#count = 0;
    this.#value = Number.NaN;
    this.#previous = Number.NaN;
  }

  /** Multiplies the inputs seen and the average by `factor` (all in the input's units). */
  rescale(factor: number): void {
    for (let i = 0; i < this.period; i++) this.#seed[i] = this.#seed[i]! * factor;
    this.#value *= factor;
    this.#previous *= factor;
  }

  copyFrom(other: WilderAverage): void {
    this.#seed.set(other.#seed);
    this.#count = other.#count;
    this.#value = other.#value;
    this.#previous = other.#previous;
  }

  #seedAverage(): number {
    let sum = 0;
    for (let i = 0; i < this.period; i++) sum += this.#seed[i];
    return sum / this.period;
  }
}

/**
 * Average True Range with Wilder's smoothing.
 *
 * Reference: J. Welles Wilder Jr., *New Concepts in Technical Trading Systems* (1978),
 * "Volatility": true range = max(high - low, |high - previous close|, |low - previous close|)
 * (high - low for the first bar), smoothed like the RSI's averages. Ready after `period` bars;
 * values match `trading-signals`' `ATR` to the last bit.
 *
 * @example
 * ```ts
 * const atr = new Atr(14);
 * atr.update(bar);
 * ```
 */
export class Atr implements Indicator {
  readonly name: string;
  readonly period: number;
  readonly warmupPeriod: number;
  readonly #smoothing: WilderAverage;
  #count = 0;
  #lastClose = Number.NaN;
  /** The close before the latest bar: the base of the latest true range. */
  #previousClose = Number.NaN;

  constructor(period = 14) {
    this.period = requirePeriod("ATR period", period);
    this.name = `atr${period}`;
    this.warmupPeriod = period;
    this.#smoothing = new WilderAverage(period);
  }

  get isReady(): boolean {
    return this.#smoothing.isReady;
  }

  get value(): number | undefined {
    return this.#smoothing.isReady ? this.#smoothing.current : undefined;
  }

  update(bar: Bar): void {
    this.#previousClose = this.#lastClose;
    this.#lastClose = bar.close;
    const tr = trueRange(bar, this.#count === 0 ? undefined : this.#previousClose);
    this.#count++;
    this.#smoothing.update(tr);
  }

  replace(bar: Bar): void {
    if (this.#count === 0) {
      this.update(bar);
      return;
    }
    this.#lastClose = bar.close;
    this.#smoothing.replace(trueRange(bar, this.#count === 1 ? undefined : this.#previousClose));
  }

  reset(): void {
    this.#count = 0;
    this.#lastClose = Number.NaN;
    this.#previousClose = Number.NaN;
    this.#smoothing.reset();
  }

  /** True ranges and closes are prices. */
  rescale(price: number, _volume: number): void {
    this.#lastClose *= price;
    this.#previousClose *= price;
    this.#smoothing.rescale(price);
  }

  clone(): Atr {
    const copy = new Atr(this.period);
    copy.#count = this.#count;
    copy.#lastClose = this.#lastClose;
    copy.#previousClose = this.#previousClose;
    copy.#smoothing.copyFrom(this.#smoothing);
    return copy;
  }
}

function trueRange(bar: Bar, previousClose: number | undefined): number {
  const highLow = bar.high - bar.low;
  if (previousClose === undefined) return highLow;
  return Math.max(highLow, Math.abs(bar.high - previousClose), Math.abs(bar.low - previousClose));
}
