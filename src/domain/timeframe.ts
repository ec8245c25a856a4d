import { InvalidTimeframeError } from "./errors.js";

/** The bar widths sessiondata serves. `1m` is stored; the others are derived from it. */
export type Timeframe = "1m" | "5m" | "15m" | "30m" | "1h";

/** Every timeframe, narrowest first. */
export const TIMEFRAMES: readonly Timeframe[] = ["1m", "5m", "15m", "30m", "1h"];

/** Minutes per bar of each timeframe. */
export const TIMEFRAME_MINUTES: Readonly<Record<Timeframe, number>> = {
  "1m": 1,
  "5m": 5,
  "15m": 15,
  "30m": 30,
  "1h": 60,
};

/** Whether a value names a known timeframe. */
export function isTimeframe(value: unknown): value is Timeframe {
  return typeof value === "string" && Object.hasOwn(TIMEFRAME_MINUTES, value);
}

/** Returns the value as a {@link Timeframe} or throws {@link InvalidTimeframeError}. */
export function parseTimeframe(value: unknown): Timeframe {
  if (isTimeframe(value)) return value;
  throw new InvalidTimeframeError(value);
}

/**
 * Throws {@link InvalidTimeframeError} unless `value` names a timeframe; returns `undefined` so a
 * read of an unknown symbol can write `return checkTimeframe(tf) ?? []` and still refuse a typo
 * the same way for every symbol.
 */
export function checkTimeframe(value: unknown): undefined {
  if (value !== "1m" && value !== "5m" && value !== "15m" && value !== "30m" && value !== "1h") {
    throw new InvalidTimeframeError(value);
  }
  return undefined;
}
