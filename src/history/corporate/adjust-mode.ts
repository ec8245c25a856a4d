/**
 * How a replay or a read treats corporate actions, LEAN's data normalization modes by another
 * name: `raw` (Raw: prices as traded; the analysis engine rescales indicator state at splits),
 * `split` (SplitAdjusted: prices and volumes scaled by the split factor, the default) and
 * `total` (Adjusted: dividends folded in too).
 */
import { InvalidArgumentError } from "../../domain/errors.js";
import type { FactorRow } from "./factor-file.js";

/** `raw`, `split` (the default) or `total`. */
export type AdjustMode = "raw" | "split" | "total";

/** Every {@link AdjustMode}, for help texts and checks. */
export const ADJUST_MODES: readonly AdjustMode[] = ["raw", "split", "total"];

/** The default {@link AdjustMode}. */
export const DEFAULT_ADJUST: AdjustMode = "split";

/** `value` as an {@link AdjustMode} (default `split`); anything else is an `InvalidArgumentError`. */
export function checkAdjustMode(value: unknown): AdjustMode {
  if (value === undefined) return DEFAULT_ADJUST;
  if (typeof value === "string" && (ADJUST_MODES as readonly string[]).includes(value)) {
    return value as AdjustMode;
  }
  throw new InvalidArgumentError(
    `adjust must be one of ${ADJUST_MODES.join(", ")}, got ${JSON.stringify(value)}`,
  );
}

/**
 * The multipliers of raw prices and volumes of a session with factors `f`, relative to a
 * reference session with factors `ref` (whose bars keep their raw prices).
 */
export function scalesOf(
  mode: AdjustMode,
  f: FactorRow,
  ref: FactorRow,
): { price: number; volume: number } {
  if (mode === "raw") return { price: 1, volume: 1 };
  const split = f.splitFactor / ref.splitFactor;
  const price = mode === "total" ? (split * f.priceFactor) / ref.priceFactor : split;
  return { price, volume: 1 / split };
}

/**
 * The split and dividend between two consecutive factor rows in effect, LEAN's
 * `CorporateFactorRow.GetSplit`/`GetDividend`: `before` the factors of the last session at the
 * old basis, `after` those of the ex-date. `undefined` when nothing changed.
 */
export function actionBetween(
  before: FactorRow,
  after: FactorRow,
): { ratio: number; dividend: number } | undefined {
  if (before.splitFactor === after.splitFactor && before.priceFactor === after.priceFactor) {
    return undefined;
  }
  const ratio = before.splitFactor / after.splitFactor;
  // distribution = C − C × (pf_before ÷ pf_after), C the close before the ex-date; rounded to
  // 1/10,000 as a price (LEAN rounds to cents) so float noise does not show.
  const dividend =
    before.priceFactor === after.priceFactor
      ? 0
      : Math.round(before.referencePrice * (1 - before.priceFactor / after.priceFactor) * 1e4) /
        1e4;
  return { ratio, dividend: Math.max(0, dividend) };
}
