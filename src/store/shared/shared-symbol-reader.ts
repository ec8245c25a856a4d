import type { Bar } from "../../domain/bar.js";
import type { BarBuffer } from "../bar-buffer.js";
import { barOfColumns, copyColumnRows } from "../column-rows.js";
import { checkBufferCount } from "../read-checks.js";
import { CTL_HEADER, CTL_SLOT } from "./shared-layout.js";

/**
 * One symbol's slot of a shared session, for hot loops in a worker
 * (`reader.getSymbol("AAPL")`), mirroring the owner's `sd.getSymbol("AAPL")` handle: the reads
 * without a look-up by name. Valid for the reader's life (a slot never moves; the buffers grow
 * in place, so the views this handle was made with keep covering its slot).
 */
export class SharedSymbolReader {
  /** The symbol of this slot. */
  readonly symbol: string;
  readonly #ctl: Int32Array;
  readonly #data: Float64Array;
  /** Index of the slot's sequence word in `ctl`; the bar count follows it. */
  readonly #seqAt: number;
  /** Index of the slot's first time in `data`. */
  readonly #base: number;
  readonly #cap: number;
  /** The even sequence the cached latest bar was read at (-1: none read yet). */
  #seq = -1;
  #bar: Bar | undefined;

  /** @internal Made by `SessionDataReader.getSymbol`. */
  constructor(
    symbol: string,
    slot: number,
    ctl: Int32Array,
    data: Float64Array,
    cap: number,
    words: number,
  ) {
    this.symbol = symbol;
    this.#ctl = ctl;
    this.#data = data;
    this.#seqAt = CTL_HEADER + slot * CTL_SLOT;
    this.#base = slot * words;
    this.#cap = cap;
  }

  /**
   * The latest 1-minute bar, or `undefined`: the same object while nothing was written since the
   * last call, a new one read under the sequence lock when something was.
   *
   * The unchanged check is one plain read of the sequence word, not an `Atomics.load` (which
   * Node 20's V8 does not inline: ~10 ns a call, 3× the whole owner-side read). It is sound: an
   * aligned Int32 read of shared memory is tear-free in the JS memory model, so it yields a
   * sequence the writer really stored; equal to the even sequence the cached bar was validated
   * at, the answer is that bar, consistent, and at worst the bar before a write that is still
   * under way (the writer makes the word odd before touching a column). Every read of the
   * columns stays under the lock with `Atomics.load`s (`#readLatest`).
   */
  getLatestBar(): Bar | undefined {
    if (this.#ctl[this.#seqAt] === this.#seq) return this.#bar;
    return this.#readLatest();
  }

  #readLatest(): Bar | undefined {
    const ctl = this.#ctl;
    const at = this.#seqAt;
    for (;;) {
      const s1 = Atomics.load(ctl, at);
      if ((s1 & 1) !== 0) continue;
      const n = ctl[at + 1]!;
      const bar = n > 0 ? barOfColumns(this.#data, this.#base + n - 1, this.#cap) : undefined;
      if (Atomics.load(ctl, at) === s1) {
        this.#seq = s1;
        this.#bar = bar;
        return bar;
      }
    }
  }

  /** The number of 1-minute bars in the session. */
  getBarCount(): number {
    // A lone aligned int32: a plain read is whole, and a count needs no lock.
    return this.#ctl[this.#seqAt + 1]!;
  }

  /**
   * Copies the last `n` bars into `into` (oldest first) and returns how many: allocation-free,
   * consistent (retried while the owner writes this symbol).
   */
  readLastN(n: number, into: BarBuffer): number {
    const want = checkBufferCount(n, into);
    const ctl = this.#ctl;
    const at = this.#seqAt;
    for (;;) {
      const s1 = Atomics.load(ctl, at);
      if ((s1 & 1) !== 0) continue;
      const len = ctl[at + 1]!;
      const count = Math.min(len, want);
      copyColumnRows(this.#data, this.#base + len - count, this.#cap, count, into);
      if (Atomics.load(ctl, at) === s1) return count;
    }
  }

  /**
   * Bars `[from(len), len)` of the slot as new objects, read under its sequence lock; `from`
   * gets the count and the index of the slot's first time in `data`.
   * @internal
   */
  range(from: (len: number, base: number, data: Float64Array) => number): Bar[] {
    const ctl = this.#ctl;
    const at = this.#seqAt;
    const data = this.#data;
    const cap = this.#cap;
    const base = this.#base;
    for (;;) {
      const s1 = Atomics.load(ctl, at);
      if ((s1 & 1) !== 0) continue;
      const len = ctl[at + 1]!;
      const start = from(len, base, data);
      const out: Bar[] = new Array(len - start);
      for (let i = start; i < len; i++) out[i - start] = barOfColumns(data, base + i, cap);
      if (Atomics.load(ctl, at) === s1) return out;
    }
  }
}
