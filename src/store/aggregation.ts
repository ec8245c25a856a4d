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
 * The regular session a timeframe aggregates: `[open, close)` less the break
 * `[breakStart, breakEnd)`; without a break both are +Infinity. (The store's session context
 * has these fields.)
 */
export interface RegularHours {
  readonly open: number;
  readonly close: number;
  readonly breakStart: number;
  readonly breakEnd: number;
}

/**
 * Derives one higher timeframe from the 1-minute bars of a regular session: buckets aligned to
 * the session open (`open + k × width`), cut at the close, so an early close leaves a partial
 * last bucket. A break cuts a bucket too, and the buckets after it are aligned to the reopen
 * (`breakEnd + k × width`): no bar spans a lunch. Appends merge into the last bucket in O(1);
 * any other change rebuilds only the bucket it touches, folding its 1-minute bars in time order
 * (the same arithmetic as in-order arrival, so results are bit-identical).
 */
export class DerivedTimeframe extends BarColumns {
  readonly width: number;

  /** `backing`, `base`: see {@link BarColumns} (a buffer shared with the other timeframes). */
  constructor(width: number, capacity: number, backing?: Float64Array, base = 0) {
    // A subclass rather than a wrapper: one object less per timeframe and symbol.
    super(capacity, backing, base);
    this.width = width;
  }

  /** How many buckets of `width` the regular session holds at most (the column size). */
  static bucketCount(width: number, hours: RegularHours): number {
    const { open, close, breakStart, breakEnd } = hours;
    const span = (from: number, to: number) => Math.max(0, Math.ceil((to - from) / width));
    return breakStart < close
      ? span(open, breakStart) + span(breakEnd, close)
      : span(open, Math.max(open, close));
  }

  /** The bucket start of a regular-session time. */
  bucketOf(t: number, hours: RegularHours): number {
    const w = this.width;
    const from = t >= hours.breakEnd ? hours.breakEnd : hours.open;
    return from + Math.floor((t - from) / w) * w;
  }

  /** The end of the bucket starting at `start`: a width later, or the break if that is sooner. */
  bucketEnd(start: number, hours: RegularHours): number {
    const end = start + this.width;
    return start < hours.breakStart && end > hours.breakStart ? hours.breakStart : end;
  }

  /**
   * Folds in the regular-session bars among `m1[from, to)`, all later than every bar folded so
   * far, in time order: a bar in the last bucket merges into it (high, low, close, volume sum),
   * any other starts a bucket. The forming bucket is kept in locals and written back once per
   * bucket; the operations and their order are those of folding bar by bar (bit-identical).
   */
  foldRange(m1: BarColumns, from: number, to: number, hours: RegularHours): void {
    const src = m1.buf;
    const sc = m1.capacity;
    const sb = m1.base;
    const { open, close, breakStart, breakEnd } = hours;
    let n = this.length;
    let start = Number.NaN;
    let end = Number.NaN;
    let bo = 0;
    let bh = 0;
    let bl = 0;
    let bc = 0;
    let bv = 0;
    if (n > 0) {
      const at = this.base + n - 1;
      const cap = this.capacity;
      const buf = this.buf;
      start = buf[at]!;
      end = this.bucketEnd(start, hours);
      bo = buf[at + cap]!;
      bh = buf[at + 2 * cap]!;
      bl = buf[at + 3 * cap]!;
      bc = buf[at + 4 * cap]!;
      bv = buf[at + 5 * cap]!;
    }
    let dirty = false;
    for (let i = from, at = sb + from; i < to; i++, at++) {
      const t = src[at]!;
      if (t < open || t >= close || (t >= breakStart && t < breakEnd)) continue;
      const h = src[at + 2 * sc]!;
      const l = src[at + 3 * sc]!;
      if (n > 0 && t < end) {
        if (h > bh) bh = h;
        if (l < bl) bl = l;
        bc = src[at + 4 * sc]!;
        bv += src[at + 5 * sc]!;
        dirty = true;
        continue;
      }
      if (dirty) this.set(n - 1, start, bo, bh, bl, bc, bv);
      start = this.bucketOf(t, hours);
      end = this.bucketEnd(start, hours);
      bo = src[at + sc]!;
      bh = h;
      bl = l;
      bc = src[at + 4 * sc]!;
      bv = src[at + 5 * sc]!;
      this.append(start, bo, bh, bl, bc, bv);
      n++;
      dirty = false;
    }
    if (dirty) this.set(n - 1, start, bo, bh, bl, bc, bv);
  }

  /** Rebuilds the bucket holding `t` from the 1-minute bars (`m1` holds at least one in it). */
  rebuild(m1: BarColumns, hours: RegularHours, t: number): void {
    const start = this.bucketOf(t, hours);
    const i0 = m1.lowerBound(start);
    const i1 = m1.lowerBound(Math.min(this.bucketEnd(start, hours), hours.close));
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
