import { InvalidBarError } from "./errors.js";

/**
 * One bar of market data.
 *
 * `time` is the bar's OPEN instant in UTC epoch milliseconds; for 1-minute bars it is a whole
 * minute. Prices are in the instrument's quote currency; `volume` is whatever the source counts
 * (shares, contracts, notional) and is 0 where a source has none.
 */
export interface Bar {
  readonly time: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}

/** One minute in milliseconds: the width of a stored bar. */
export const MINUTE_MS = 60_000;

/**
 * Checks a bar against the rules every stored bar obeys and throws {@link InvalidBarError}
 * naming the symbol, the time and the first field that breaks them.
 *
 * Rules: every field a finite number, `time` on a whole minute, `low <= min(open, close)`,
 * `max(open, close) <= high`, `volume >= 0`.
 */
export function validateBar(symbol: string, bar: Bar): void {
  const problem = barProblem(bar);
  if (problem !== undefined) {
    throw new InvalidBarError(symbol, bar, problem.field, problem.reason);
  }
}

/** A value as a message quotes it: a string in quotes, so `"5"` is not read as the number 5. */
function shown(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value) : String(value);
}

/** The first rule a bar breaks, or `undefined` when it is valid. Allocates only on failure. */
export function barProblem(bar: Bar): { field: keyof Bar; reason: string } | undefined {
  if (bar === null || typeof bar !== "object") {
    return { field: "time", reason: `is missing: ${shown(bar)} is not a bar object` };
  }
  const { time, open, high, low, close, volume } = bar;
  if (typeof time !== "number" || !Number.isFinite(time)) {
    return { field: "time", reason: `is not a finite number (${shown(time)})` };
  }
  if (time % MINUTE_MS !== 0) {
    return { field: "time", reason: `is not on a whole minute (${time})` };
  }
  if (typeof open !== "number" || !Number.isFinite(open)) {
    return { field: "open", reason: `is not a finite number (${shown(open)})` };
  }
  if (typeof high !== "number" || !Number.isFinite(high)) {
    return { field: "high", reason: `is not a finite number (${shown(high)})` };
  }
  if (typeof low !== "number" || !Number.isFinite(low)) {
    return { field: "low", reason: `is not a finite number (${shown(low)})` };
  }
  if (typeof close !== "number" || !Number.isFinite(close)) {
    return { field: "close", reason: `is not a finite number (${shown(close)})` };
  }
  if (typeof volume !== "number" || !Number.isFinite(volume)) {
    return { field: "volume", reason: `is not a finite number (${shown(volume)})` };
  }
  if (high < open || high < close) {
    return {
      field: "high",
      reason: `${high} is below max(open ${open}, close ${close})`,
    };
  }
  if (low > open || low > close) {
    return { field: "low", reason: `${low} is above min(open ${open}, close ${close})` };
  }
  if (volume < 0) {
    return { field: "volume", reason: `is negative (${volume})` };
  }
  return undefined;
}
