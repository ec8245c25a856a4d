import { type Bar, MINUTE_MS } from "../domain/bar.js";

/**
 * The rules of `validateBar` as one boolean expression, for the write path: no result object,
 * no `Number.isFinite` calls. `x - x === 0` holds exactly for finite numbers; `open` and `close`
 * are finite once they lie between a finite `low` and `high`; `time % 60_000` is `NaN` for a
 * non-finite time.
 */
export function isValidBar(bar: Bar): boolean {
  if (bar === null || typeof bar !== "object") return false;
  const { time, open, high, low, close, volume } = bar;
  return (
    typeof time === "number" &&
    typeof open === "number" &&
    typeof high === "number" &&
    typeof low === "number" &&
    typeof close === "number" &&
    typeof volume === "number" &&
    time % MINUTE_MS === 0 &&
    high - high === 0 &&
    low - low === 0 &&
    volume - volume === 0 &&
    high >= open &&
    high >= close &&
    low <= open &&
    low <= close &&
    volume >= 0
  );
}
