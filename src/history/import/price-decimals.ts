/**
 * A symbol's price precision as its data carries it: the most decimals any price needs, from
 * each double's shortest round-trip text (`0.00003124` → 8, `1.59234` → 5, `46319.0` → 0),
 * capped at {@link MAX_PRICE_DECIMALS}. Padding zeros a vendor writes (`1.50000000`) do not
 * count, and the same rule serves text and binary (Parquet) files.
 */

import { MAX_PRICE_DECIMALS } from "../symbol-info.js";

export { MAX_PRICE_DECIMALS };

const POW10 = Array.from({ length: MAX_PRICE_DECIMALS + 1 }, (_, i) => 10 ** i);

/**
 * Whether `x` is the double nearest some decimal with at most `d` decimals, i.e. whether its
 * shortest round-trip text has at most `d` decimals: `round(x·10^d)` and `10^d` are exact, so
 * their quotient is that decimal's correctly rounded double.
 */
export function hasAtMostDecimals(x: number, d: number): boolean {
  const p = POW10[d]!;
  return Math.round(x * p) / p === x;
}

/** The decimals `x` needs (0 to {@link MAX_PRICE_DECIMALS}). */
export function decimalsOf(x: number): number {
  for (let d = 0; d < MAX_PRICE_DECIMALS; d++) if (hasAtMostDecimals(x, d)) return d;
  return MAX_PRICE_DECIMALS;
}

/**
 * The precision of a run of prices so far: one multiply and divide per price while the
 * prices need no more decimals than seen before, a search only when one needs more.
 */
export function widenDecimals(current: number, price: number): number {
  if (current >= MAX_PRICE_DECIMALS || hasAtMostDecimals(price, current)) return current;
  return decimalsOf(price);
}
