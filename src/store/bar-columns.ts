import type { Bar } from "../domain/bar.js";
import type { BarBuffer, BarView } from "./bar-buffer.js";
import { barOfColumns, copyColumnRows } from "./column-rows.js";

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

const EMPTY = new Float64Array(0);

/**
 * A growable run of bars kept column by column in a region of a `Float64Array` starting at
 * `base`: `time` in `[base, base + capacity)`, then `open`, `high`, `low`, `close`, `volume`,
 * each `capacity` long. Sorted by time, no duplicates. Internal to the store.
 *
 * Why offsets into one shared array rather than six column views: a typed-array view costs
 * about 100 bytes of heap, and a symbol holds five of these runs (1m and four derived
 * timeframes) per session, so views alone would add ~2 bytes per stored bar. Views are made on
 * the way out ({@link BarColumns.series}). `buf`, `base` and `capacity` are plain fields because
 * the store's hot paths read them directly: slot of field `k` (0 = time … 5 = volume) of bar
 * `i` is `buf[base + k * capacity + i]`.
 */
export class BarColumns {
  buf: Float64Array;
  base: number;
  capacity: number;
  /** Bars held; slots beyond it are spare capacity. */
  length = 0;

  /** With `backing`, the run uses its `6 × capacity` slots from `base` (a shared buffer). */
  constructor(capacity: number, backing?: Float64Array, base = 0) {
    this.capacity = Math.max(0, Math.ceil(capacity));
    // Empty runs share one zero-length array: nothing is written before a growth replaces it.
    this.buf = backing ?? (this.capacity === 0 ? EMPTY : new Float64Array(this.capacity * 6));
    this.base = backing === undefined ? 0 : base;
  }

  #grow(): void {
    const old = this.buf;
    const oldBase = this.base;
    const oldCap = this.capacity;
    const cap = Math.max(8, oldCap * 2);
    const buf = new Float64Array(cap * 6);
    const n = this.length;
    for (let k = 0; k < 6; k++) {
      buf.set(old.subarray(oldBase + k * oldCap, oldBase + k * oldCap + n), k * cap);
    }
    this.buf = buf;
    this.base = 0;
    this.capacity = cap;
  }

  /** The time of bar `i`. */
  timeAt(i: number): number {
    return this.buf[this.base + i]!;
  }

  /** The first index whose time is `>= t` (`length` when none): a binary search. */
  lowerBound(t: number): number {
    const buf = this.buf;
    const base = this.base;
    let lo = 0;
    let hi = this.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (buf[base + mid]! < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Appends a bar newer than every bar held (the caller guarantees the order). */
  append(t: number, o: number, h: number, l: number, c: number, v: number): void {
    const i = this.length;
    if (i === this.capacity) this.#grow();
    this.length = i + 1;
    this.set(i, t, o, h, l, c, v);
  }

  /** Inserts a bar at index `i`, shifting the later ones up (the caller keeps the time order). */
  insert(i: number, t: number, o: number, h: number, l: number, c: number, v: number): void {
    const n = this.length;
    if (n === this.capacity) this.#grow();
    const buf = this.buf;
    const cap = this.capacity;
    for (let k = 0, at = this.base; k < 6 && i < n; k++, at += cap) {
      buf.copyWithin(at + i + 1, at + i, at + n);
    }
    this.length = n + 1;
    this.set(i, t, o, h, l, c, v);
  }

  /** Overwrites the bar at index `i`. */
  set(i: number, t: number, o: number, h: number, l: number, c: number, v: number): void {
    const buf = this.buf;
    const cap = this.capacity;
    const at = this.base + i;
    buf[at] = t;
    buf[at + cap] = o;
    buf[at + 2 * cap] = h;
    buf[at + 3 * cap] = l;
    buf[at + 4 * cap] = c;
    buf[at + 5 * cap] = v;
  }

  /** Folds a 1-minute bar into the last bar (a higher-timeframe bucket still forming). */
  mergeLast(h: number, l: number, c: number, v: number): void {
    const buf = this.buf;
    const cap = this.capacity;
    const at = this.base + this.length - 1;
    if (h > buf[at + 2 * cap]!) buf[at + 2 * cap] = h;
    if (l < buf[at + 3 * cap]!) buf[at + 3 * cap] = l;
    buf[at + 4 * cap] = c;
    buf[at + 5 * cap] += v;
  }

  /** A new `Bar` object for index `i` (allocation happens on the way out only). */
  barAt(i: number): Bar {
    return barOfColumns(this.buf, this.base + i, this.capacity);
  }

  /** Copies bars `[from, to)` into `into` from its index 0 (the caller checked they fit). */
  copyInto(from: number, to: number, into: BarBuffer): number {
    return copyColumnRows(this.buf, this.base + from, this.capacity, to - from, into);
  }

  /** Points `view` at bars `[from, to)` without copying. */
  viewInto(from: number, to: number, view: BarView): number {
    return view.point(this.buf, this.base + from, this.capacity, to - from);
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
    const buf = this.buf;
    const cap = this.capacity;
    const view = (k: number) => buf.subarray(this.base + k * cap, this.base + k * cap + n);
    return {
      length: n,
      time: view(0),
      open: view(1),
      high: view(2),
      low: view(3),
      close: view(4),
      volume: view(5),
    };
  }

  /** A copy holding exactly `length` bars, at `base` of `backing` when given (6 × length slots). */
  trimmed(backing?: Float64Array, base = 0): BarColumns {
    const n = this.length;
    const copy = new BarColumns(n, backing, base);
    for (let k = 0; k < 6; k++) {
      const from = this.base + k * this.capacity;
      copy.buf.set(this.buf.subarray(from, from + n), copy.base + k * n);
    }
    copy.length = n;
    return copy;
  }
}
