import type { Bar } from "../domain/bar.js";
import type { Indicator } from "./indicator.js";

/**
 * Session VWAP: Σ(typical price × volume) / Σ volume over the bars of the current session, with
 * typical price `(high + low + close) / 3`.
 *
 * Reference: S. A. Berkowitz, D. E. Logue and E. A. Noser, "The Total Cost of Transactions on the
 * NYSE", *Journal of Finance* 43(1), 1988 (VWAP as the day's benchmark price). It starts over at
 * each session: {@link Vwap.startSession} (the engine calls it before the first bar of every
 * session); a standalone user who never calls it gets a cumulative VWAP, which is what
 * `trading-signals`' `VWAP` is, and agrees with it to the last bit.
 *
 * Bars with zero volume leave it unchanged (as in `trading-signals`); it is ready once a bar of
 * the session had volume. Data without volume (FX quotes) never makes it ready.
 *
 * @example
 * ```ts
 * const vwap = new Vwap();
 * vwap.startSession("2024-01-02");
 * for (const bar of sessionBars) vwap.update(bar);
 * vwap.value;
 * ```
 */
export class Vwap implements Indicator {
  readonly name = "vwap";
  readonly warmupPeriod = 1;
  #priceVolume = 0;
  #volume = 0;
  /**
   * The sums before the latest bar: `replace` restores them and adds the new bar, so a
   * correction gives exactly the sums of in-order arrival (taking the old bar back out did not).
   * Before any bar (new or reset) they equal the sums (all zero), so a replace then is an update.
   */
  #undoPriceVolume = 0;
  #undoVolume = 0;

  get isReady(): boolean {
    return this.#volume > 0;
  }

  get value(): number | undefined {
    return this.#volume > 0 ? this.#priceVolume / this.#volume : undefined;
  }

  update(bar: Bar): void {
    this.#undoPriceVolume = this.#priceVolume;
    this.#undoVolume = this.#volume;
    const volume = bar.volume;
    if (volume === 0) return;
    this.#priceVolume += ((bar.high + bar.low + bar.close) / 3) * volume;
    this.#volume += volume;
  }

  replace(bar: Bar): void {
    this.#priceVolume = this.#undoPriceVolume;
    this.#volume = this.#undoVolume;
    this.update(bar);
  }

  /** Starts a new session: the bars fed so far no longer count. */
  startSession(_sessionDate: string): void {
    this.reset();
  }

  reset(): void {
    this.#priceVolume = 0;
    this.#volume = 0;
    this.#undoPriceVolume = 0;
    this.#undoVolume = 0;
  }

  /** Σ(price × volume) takes both factors, Σ volume the volume one. */
  rescale(price: number, volume: number): void {
    const both = price * volume;
    this.#priceVolume *= both;
    this.#undoPriceVolume *= both;
    this.#volume *= volume;
    this.#undoVolume *= volume;
  }

  clone(): Vwap {
    const copy = new Vwap();
    copy.#priceVolume = this.#priceVolume;
    copy.#volume = this.#volume;
    copy.#undoPriceVolume = this.#undoPriceVolume;
    copy.#undoVolume = this.#undoVolume;
    return copy;
  }
}
