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
export class DerivedTimeframe {
  readonly width: number;
  bars: BarColumns;

  constructor(width: number, capacity: number) {
    this.width = width;
    this.bars = new BarColumns(capacity);
  }

  /** The bucket start of a regular-session time. */
  bucketOf(t: number, open: number): number {
    return open + Math.floor((t - open) / this.width) * this.width;
  }

  /** Folds in a regular 1-minute bar later than every one folded so far. */
  append(open: number, t: number, o: number, h: number, l: number, c: number, v: number): void {
    const b = this.bars;
    const start = this.bucketOf(t, open);
    const last = b.length - 1;
    if (last >= 0 && b.time[last] === start) {
      if (h > b.high[last]!) b.high[last] = h;
      if (l < b.low[last]!) b.low[last] = l;
      b.close[last] = c;
      b.volume[last] = b.volume[last]! + v;
    } else {
      b.append(start, o, h, l, c, v);
    }
  }

  /** Rebuilds the bucket holding `t` from the 1-minute bars (`m1` holds at least one in it). */
  rebuild(m1: BarColumns, open: number, close: number, t: number): void {
    const start = this.bucketOf(t, open);
    const i0 = m1.lowerBound(start);
    const i1 = m1.lowerBound(Math.min(start + this.width, close));
    let h = m1.high[i0]!;
    let l = m1.low[i0]!;
    let v = m1.volume[i0]!;
    for (let i = i0 + 1; i < i1; i++) {
      if (m1.high[i]! > h) h = m1.high[i]!;
      if (m1.low[i]! < l) l = m1.low[i]!;
      v += m1.volume[i]!;
    }
    const o = m1.open[i0]!;
    const c = m1.close[i1 - 1]!;
    const b = this.bars;
    const j = b.lowerBound(start);
    if (j < b.length && b.time[j] === start) b.set(j, start, o, h, l, c, v);
    else b.insert(j, start, o, h, l, c, v);
  }
}
