import { InvalidArgumentError } from "../domain/errors.js";
import type { BarBuffer } from "./bar-buffer.js";

// The argument checks of the store's reads, shared by SessionData, its symbol handles and the
// shared-memory reader, so each read refuses bad input with the same words.

/** A bar count: a number >= 0 (fractions floored). */
export function checkCount(n: number): number {
  if (!(n >= 0)) throw new InvalidArgumentError(`bar count must be a number >= 0, got ${n}`);
  return Math.floor(n);
}

/** The count a `readLastN` may copy: a number >= 0 that fits the caller's buffer. */
export function checkBufferCount(n: number, into: BarBuffer): number {
  const count = checkCount(n);
  if (count > into.capacity) {
    throw new InvalidArgumentError(
      `readLastN: n (${count}) exceeds the buffer's capacity (${into.capacity}); make a bigger BarBuffer`,
    );
  }
  return count;
}

/** Refuses a `getBarsSince` bound that is no number: NaN compares false and read as "every bar". */
export function checkSince(t: number): number {
  if (typeof t !== "number" || Number.isNaN(t)) {
    throw new InvalidArgumentError(`getBarsSince: time must be a number, got ${String(t)}`);
  }
  return t;
}
