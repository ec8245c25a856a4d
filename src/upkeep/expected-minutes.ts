/**
 * The one definition of "expected minutes", shared by `sessiondata quality` (`assessQuality`) and
 * gap repair in a backtest or live (`DataUpkeep`), so both compute the same quality from the same
 * data:
 *
 * - a session's expected minutes are the 1-minute bars opening in its regular hours
 *   `[open, close)`, less its break (a lunch);
 * - clipped to the symbol's stored range: nothing before the open time of its first stored bar and
 *   nothing after its last (a symbol listed at 10:14, or data that ends mid-day, has a partial
 *   first or last session, not gaps);
 * - and, for a session in progress, to the minutes that opened before `until`.
 *
 * quality = present ÷ expected × 100 (100 when nothing is expected). A session inside the range
 * without a single bar is a "missing session": all of its minutes count as missing.
 */
import type { Session } from "../calendar/trading-calendar.js";
import { MINUTE_MS } from "../domain/bar.js";
import { qualityPercent } from "../domain/quality.js";
import { lowerBound } from "../domain/search.js";
import { outsideBreak, windowEnd } from "./gap.js";

/** The open times of a symbol's first and last stored bars (a `BarStore`'s `coverage` fits). */
export interface StoredRange {
  readonly first: number;
  readonly last: number;
}

/** A session's expected minutes as half-open `[from, to)` windows in time order. */
export type Windows = [number, number][];

/**
 * The windows of `session`'s expected minutes for a symbol stored over `range` (unclipped when
 * absent), up to `until` (exclusive; the whole session when absent). Empty when the range misses
 * the session. Whole minutes stay whole: `open` and bar times are on the minute.
 *
 * @example
 * ```ts
 * const s = xnysCalendar.session("2024-01-08")!; // 14:30–21:00 UTC
 * expectedWindows(s, { first: s.open + 44 * 60_000, last: s.close + 3_600_000 });
 * // [[s.open + 44 min, s.close]]: 346 expected minutes on the day the data starts at 10:14
 * ```
 */
export function expectedWindows(
  session: Session,
  range?: StoredRange,
  until = Number.POSITIVE_INFINITY,
): Windows {
  let from = session.open;
  let to = session.close;
  if (range !== undefined) {
    if (range.first > from) from = Math.floor(range.first / MINUTE_MS) * MINUTE_MS;
    if (range.last + MINUTE_MS < to)
      to = Math.floor(range.last / MINUTE_MS) * MINUTE_MS + MINUTE_MS;
  }
  const end = windowEnd(from, to, until);
  if (!(end > from)) return [];
  return outsideBreak(from, end, session).filter(([a, b]) => b > a);
}

/** The number of minutes in `windows`. */
export function minutesIn(windows: readonly (readonly [number, number])[]): number {
  let n = 0;
  for (const [from, to] of windows) n += (to - from) / MINUTE_MS;
  return n;
}

/**
 * The bars of a sorted column of distinct whole-minute times that fall in `windows`: what a
 * quality figure counts as present. Two binary searches per window.
 */
export function presentIn(
  times: ArrayLike<number>,
  windows: readonly (readonly [number, number])[],
  length = times.length,
): number {
  let present = 0;
  for (const [from, to] of windows) {
    const lo = lowerBound(times, from, 0, length);
    present += lowerBound(times, to, lo, length) - lo;
  }
  return present;
}

/** present ÷ expected × 100; 100 when nothing is expected (the domain's one formula). */
export { qualityPercent };
