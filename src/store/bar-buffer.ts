import { InvalidArgumentError } from "../domain/errors.js";

/**
 * A caller-owned buffer of bars, one `Float64Array` per field, index 0 the oldest: what the
 * allocation-free reads ({@link SessionData.readLastN}) fill. Make one per hot loop and reuse it:
 * a read copies into it and allocates nothing, where `getLastNBars` makes one object per bar.
 *
 * `length` is how many bars the last read put in; slots from `length` on hold whatever an
 * earlier read left there.
 *
 * @example
 * ```ts
 * const buf = new BarBuffer(20);
 * const n = sd.readLastN("AAPL", 20, buf); // n bars, buf.close[n - 1] the latest close
 * let sum = 0;
 * for (let i = 0; i < n; i++) sum += buf.close[i]!;
 * ```
 */
export class BarBuffer {
  /** The most bars a read can put in. */
  readonly capacity: number;
  /** Bars the last read put in (0 before any). */
  length = 0;
  readonly time: Float64Array;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
  /**
   * The six columns back to back (time, open, high, low, close, volume, each `capacity` long):
   * what the store's copy writes into, one array rather than six views.
   */
  readonly data: Float64Array;

  constructor(capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) {
      throw new InvalidArgumentError(
        `BarBuffer capacity must be a positive integer, got ${String(capacity)}`,
      );
    }
    this.capacity = capacity;
    // One allocation for all six columns, so they sit side by side in memory.
    const backing = new Float64Array(capacity * 6);
    this.data = backing;
    this.time = backing.subarray(0, capacity);
    this.open = backing.subarray(capacity, 2 * capacity);
    this.high = backing.subarray(2 * capacity, 3 * capacity);
    this.low = backing.subarray(3 * capacity, 4 * capacity);
    this.close = backing.subarray(4 * capacity, 5 * capacity);
    this.volume = backing.subarray(5 * capacity, 6 * capacity);
  }
}

/**
 * A reusable zero-copy window onto the last bars of one symbol ({@link SessionData.viewLastN}):
 * a read only points it at the store's own columns, so it costs a few field writes whatever `n`.
 * Index 0 is the oldest bar of the window. Valid until the next write to that symbol (a write
 * may move its columns), like {@link SessionData.getSeries}; read it right after the view call,
 * e.g. in a `slice` listener. Use a {@link BarBuffer} to keep a copy.
 *
 * @example
 * ```ts
 * const view = new BarView();
 * const n = sd.viewLastN("AAPL", 20, view);
 * let sum = 0;
 * for (let i = 0; i < n; i++) sum += view.close(i);
 * ```
 */
export class BarView {
  /** Bars in the window (0 before any read). */
  length = 0;
  #buf: Float64Array = new Float64Array(0);
  #at = 0;
  #cap = 0;

  /** Points the view at `length` bars of a column run (internal to the store). */
  point(buf: Float64Array, at: number, cap: number, length: number): number {
    this.#buf = buf;
    this.#at = at;
    this.#cap = cap;
    this.length = length;
    return length;
  }

  /** The time of bar `i` of the window, `0 <= i < length` (other indices read other bars). */
  time(i: number): number {
    return this.#buf[this.#at + i]!;
  }
  open(i: number): number {
    return this.#buf[this.#at + this.#cap + i]!;
  }
  high(i: number): number {
    return this.#buf[this.#at + 2 * this.#cap + i]!;
  }
  low(i: number): number {
    return this.#buf[this.#at + 3 * this.#cap + i]!;
  }
  close(i: number): number {
    return this.#buf[this.#at + 4 * this.#cap + i]!;
  }
  volume(i: number): number {
    return this.#buf[this.#at + 5 * this.#cap + i]!;
  }
}
