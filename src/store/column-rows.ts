import type { Bar } from "../domain/bar.js";
import type { BarBuffer } from "./bar-buffer.js";

// Rows of the store's column layout: six fields of `cap` slots each, back to back in one
// Float64Array (time, open, high, low, close, volume), bar `i` of a run at `at + i`. The store's
// own columns and the shared-memory mirror both use it; these are the one place that reads it out.

/** The bar at slot `at` of columns `cap` long in `buf`, as a new object. */
export function barOfColumns(buf: Float64Array, at: number, cap: number): Bar {
  return {
    time: buf[at]!,
    open: buf[at + cap]!,
    high: buf[at + 2 * cap]!,
    low: buf[at + 3 * cap]!,
    close: buf[at + 4 * cap]!,
    volume: buf[at + 5 * cap]!,
  };
}

/**
 * Copies `n` bars from slot `at` of columns `cap` long in `src` into `into` from its index 0 and
 * sets `into.length`; the caller checked `n <= into.capacity`. A plain loop rather than six
 * `subarray`/`set` pairs: for the few bars a hot loop reads, the views would cost more than the copy.
 */
export function copyColumnRows(
  src: Float64Array,
  at: number,
  cap: number,
  n: number,
  into: BarBuffer,
): number {
  const dst = into.data;
  const dcap = into.capacity;
  for (let j = 0; j < n; j++, at++) {
    dst[j] = src[at]!;
    dst[dcap + j] = src[at + cap]!;
    dst[2 * dcap + j] = src[at + 2 * cap]!;
    dst[3 * dcap + j] = src[at + 3 * cap]!;
    dst[4 * dcap + j] = src[at + 4 * cap]!;
    dst[5 * dcap + j] = src[at + 5 * cap]!;
  }
  into.length = n;
  return n;
}
