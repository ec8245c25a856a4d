import type { Bar } from "../domain/bar.js";

/**
 * Zero-copy views of a run of bars, one `Float64Array` per field, index 0 the oldest.
 *
 * The arrays are `subarray` views of the store's own columns: reading them copies nothing, and
 * they are valid until the next write to the same symbol (a write may move the columns to a
 * bigger buffer or shift bars). Do not write into them.
 */
export interface BarSeries {
  readonly length: number;
  readonly time: Float64Array;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
}

/**
 * A growable run of bars kept as six `Float64Array` columns sharing one buffer, sorted by time
 * with no duplicates. Internal to the store: its fields are plain (not `#private`) because the
 * hot read path of {@link SymbolSessionData} reads them directly and every indirection there
 * costs nanoseconds.
 */
export class BarColumns {
  time: Float64Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
  /** Bars held; the columns beyond it are spare capacity. */
  length = 0;
  capacity: number;

  constructor(capacity: number) {
    this.capacity = 0;
    this.time = this.open = this.high = this.low = this.close = this.volume = EMPTY;
    this.#allocate(Math.max(0, Math.ceil(capacity)));
  }

  // One buffer for all six columns: one allocation and one typed-array header set per growth,
  // which keeps heap bytes per bar close to the 48 bytes of payload.
  #allocate(capacity: number): void {
    const buf = new Float64Array(capacity * 6);
    const n = this.length;
    const time = buf.subarray(0, capacity);
    const open = buf.subarray(capacity, 2 * capacity);
    const high = buf.subarray(2 * capacity, 3 * capacity);
    const low = buf.subarray(3 * capacity, 4 * capacity);
    const close = buf.subarray(4 * capacity, 5 * capacity);
    const volume = buf.subarray(5 * capacity, 6 * capacity);
    if (n > 0) {
      time.set(this.time.subarray(0, n));
      open.set(this.open.subarray(0, n));
      high.set(this.high.subarray(0, n));
      low.set(this.low.subarray(0, n));
      close.set(this.close.subarray(0, n));
      volume.set(this.volume.subarray(0, n));
    }
    this.time = time;
    this.open = open;
    this.high = high;
    this.low = low;
    this.close = close;
    this.volume = volume;
    this.capacity = capacity;
  }

  /** The first index whose time is `>= t` (`length` when none): a binary search. */
  lowerBound(t: number): number {
    const time = this.time;
    let lo = 0;
    let hi = this.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (time[mid]! < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Appends a bar newer than every bar held (the caller guarantees the order). */
  append(t: number, o: number, h: number, l: number, c: number, v: number): void {
    const i = this.length;
    if (i === this.capacity) this.#allocate(Math.max(8, this.capacity * 2));
    this.time[i] = t;
    this.open[i] = o;
    this.high[i] = h;
    this.low[i] = l;
    this.close[i] = c;
    this.volume[i] = v;
    this.length = i + 1;
  }

  /** Inserts a bar at index `i`, shifting the later ones up (the caller keeps the time order). */
  insert(i: number, t: number, o: number, h: number, l: number, c: number, v: number): void {
    const n = this.length;
    if (n === this.capacity) this.#allocate(Math.max(8, this.capacity * 2));
    if (i < n) {
      this.time.copyWithin(i + 1, i, n);
      this.open.copyWithin(i + 1, i, n);
      this.high.copyWithin(i + 1, i, n);
      this.low.copyWithin(i + 1, i, n);
      this.close.copyWithin(i + 1, i, n);
      this.volume.copyWithin(i + 1, i, n);
    }
    this.length = n + 1;
    this.set(i, t, o, h, l, c, v);
  }

  /** Overwrites the bar at index `i`. */
  set(i: number, t: number, o: number, h: number, l: number, c: number, v: number): void {
    this.time[i] = t;
    this.open[i] = o;
    this.high[i] = h;
    this.low[i] = l;
    this.close[i] = c;
    this.volume[i] = v;
  }

  /** A new `Bar` object for index `i` (allocation happens on the way out only). */
  barAt(i: number): Bar {
    return {
      time: this.time[i]!,
      open: this.open[i]!,
      high: this.high[i]!,
      low: this.low[i]!,
      close: this.close[i]!,
      volume: this.volume[i]!,
    };
  }

  /** Bars `[from, to)` as new objects, oldest first. */
  bars(from: number, to: number): Bar[] {
    const out: Bar[] = new Array(Math.max(0, to - from));
    for (let i = from; i < to; i++) out[i - from] = this.barAt(i);
    return out;
  }

  /** Zero-copy views of the bars held. */
  series(): BarSeries {
    const n = this.length;
    return {
      length: n,
      time: this.time.subarray(0, n),
      open: this.open.subarray(0, n),
      high: this.high.subarray(0, n),
      low: this.low.subarray(0, n),
      close: this.close.subarray(0, n),
      volume: this.volume.subarray(0, n),
    };
  }

  /** A copy holding exactly `length` bars: what a finished session keeps in history. */
  trimmed(): BarColumns {
    const copy = new BarColumns(this.length);
    const n = this.length;
    copy.time.set(this.time.subarray(0, n));
    copy.open.set(this.open.subarray(0, n));
    copy.high.set(this.high.subarray(0, n));
    copy.low.set(this.low.subarray(0, n));
    copy.close.set(this.close.subarray(0, n));
    copy.volume.set(this.volume.subarray(0, n));
    copy.length = n;
    return copy;
  }
}

const EMPTY = new Float64Array(0);
