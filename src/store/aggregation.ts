import { MINUTE_MS } from "../domain/bar.js";
import { InvalidTimeframeError } from "../domain/errors.js";
import { BarColumns } from "./bar-columns.js";

/** Bar width in ms by timeframe index (0 = 1m, 1 = 5m, 2 = 15m, 3 = 30m, 4 = 1h). */
export const TIMEFRAME_WIDTHS: readonly number[] = [1, 5, 15, 30, 60].map((m) => m * MINUTE_MS);

/** The index of a timeframe name, or {@link InvalidTimeframeError}. A switch: no allocation, no hashing. */
export function timeframeIndex(tf: unknown): number {
  switch (tf) {
    case "1m":
      return 0;
    case "5m":
      return 1;
    case "15m":
      return 2;
    case "30m":
      return 3;
    case "1h":
      return 4;
    default:
      throw new InvalidTimeframeError(tf);
  }
}

/**
 * Derives one higher timeframe from the 1-minute bars of a regular session: buckets aligned to
 * the session open (`open + k × width`), cut at the close, so an early close leaves a partial
 * last bucket. Appends merge into the last bucket in O(1); any other change rebuilds only the
 * bucket it touches, folding its 1-minute bars in time order (the same arithmetic as in-order
 * arrival, so results are bit-identical).
 */
export class DerivedTimeframe extends BarColumns {
  readonly width: number;

  /** `backing`, `base`: see {@link BarColumns} (a buffer shared with the other timeframes). */
  constructor(width: number, capacity: number, backing?: Float64Array, base = 0) {
    // A subclass rather than a wrapper: one object less per timeframe and symbol.
    super(capacity, backing, base);
    this.width = width;
  }

  /** The bucket start of a regular-session time. */
  bucketOf(t: number, open: number): number {
    return open + Math.floor((t - open) / this.width) * this.width;
  }

  /** Folds in a regular 1-minute bar later than every one folded so far. */
  fold(open: number, t: number, o: number, h: number, l: number, c: number, v: number): void {
    const last = this.length - 1;
    // Appends arrive in time order, so a time inside the last bucket merges into it; only a new
    // bucket needs the (slower) floor division.
    if (last >= 0 && t < this.buf[this.base + last]! + this.width) {
      this.mergeLast(h, l, c, v);
      return;
    }
    this.append(this.bucketOf(t, open), o, h, l, c, v);
  }

  /** Rebuilds the bucket holding `t` from the 1-minute bars (`m1` holds at least one in it). */
  rebuild(m1: BarColumns, open: number, close: number, t: number): void {
    const start = this.bucketOf(t, open);
    const i0 = m1.lowerBound(start);
    const i1 = m1.lowerBound(Math.min(start + this.width, close));
    const buf = m1.buf;
    const cap = m1.capacity;
    const at = m1.base;
    let h = buf[at + 2 * cap + i0]!;
    let l = buf[at + 3 * cap + i0]!;
    let v = buf[at + 5 * cap + i0]!;
    for (let i = i0 + 1; i < i1; i++) {
      if (buf[at + 2 * cap + i]! > h) h = buf[at + 2 * cap + i]!;
      if (buf[at + 3 * cap + i]! < l) l = buf[at + 3 * cap + i]!;
      v += buf[at + 5 * cap + i]!;
    }
    const o = buf[at + cap + i0]!;
    const c = buf[at + 4 * cap + i1 - 1]!;
    const j = this.lowerBound(start);
    if (j < this.length && this.timeAt(j) === start) this.set(j, start, o, h, l, c, v);
    else this.insert(j, start, o, h, l, c, v);
  }
}
