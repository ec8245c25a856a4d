import { type Bar, MINUTE_MS } from "../domain/bar.js";

/**
 * The rules of `validateBar` as one boolean expression, for the write path: no result object,
 * no `Number.isFinite` calls. `x - x === 0` holds exactly for finite numbers; `open` and `close`
 * are finite once they lie between a finite `low` and `high`; a non-finite time is on no whole
 * minute.
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
    isValidBarValues(time, open, high, low, close, volume)
  );
}

/** {@link isValidBar} of a bar given as numbers. */
export function isValidBarValues(
  time: number,
  open: number,
  high: number,
  low: number,
  close: number,
  volume: number,
): boolean {
  return (
    onWholeMinute(time) &&
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

/**
 * `time % 60_000 === 0` without the `%`: a float remainder is a libm call (~10 ns), a division,
 * a floor and a product are not. Within the safe-integer range the product is exact, so it
 * equals `time` exactly for whole minutes only; outside it (NaN and infinities included) the
 * remainder decides.
 */
function onWholeMinute(time: number): boolean {
  if (time <= Number.MAX_SAFE_INTEGER && time >= -Number.MAX_SAFE_INTEGER) {
    return Math.floor(time / MINUTE_MS) * MINUTE_MS === time;
  }
  return time % MINUTE_MS === 0;
}
