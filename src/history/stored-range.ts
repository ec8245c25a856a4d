import type { TradingCalendar } from "../calendar/trading-calendar.js";
import { utcDateOf } from "../domain/time.js";
import type { BarStore } from "./bar-store.js";

/**
 * The session dates the stored bars of `symbols` span: the session of the first bar to the
 * session of the last, the default range of a replay or a quality report. A bar outside every
 * session (a weekend bar on a weekday calendar) counts from the next session at the start and up
 * to the previous one at the end, so the range holds only sessions. `undefined` when none of the
 * symbols has a bar.
 *
 * @example
 * ```ts
 * await storedSessionRange(store, ["AAPL", "MSFT"], xnysCalendar); // { from: "2024-01-02", to: "2024-01-31" }
 * ```
 */
export async function storedSessionRange(
  store: Pick<BarStore, "coverage">,
  symbols: readonly string[],
  calendar: TradingCalendar,
): Promise<{ from: string; to: string } | undefined> {
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const symbol of symbols) {
    const c = await store.coverage(symbol);
    if (c === undefined) continue;
    if (c.first < first) first = c.first;
    if (c.last > last) last = c.last;
  }
  if (first > last) return undefined;
  return {
    from: calendar.sessionDateOf(first) ?? calendar.nextSession(utcDateOf(first)),
    to: calendar.sessionDateOf(last) ?? calendar.previousSession(utcDateOf(last)),
  };
}
