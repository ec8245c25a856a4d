import type { TradingCalendar } from "../calendar/trading-calendar.js";
import { InvalidArgumentError } from "../domain/errors.js";
import { lowerBound } from "../domain/search.js";
import type { BarSource } from "../history/bar-store.js";
import { findGapsIn, type Gap, outsideBreak } from "./gap.js";

/** The completeness of one symbol's stored bars in one session's regular hours. */
export interface SessionQuality {
  readonly symbol: string;
  readonly sessionDate: string;
  /** Minutes of the regular session. */
  readonly expected: number;
  /** Bars stored in the regular session. */
  readonly present: number;
  /** `expected - present`. */
  readonly missing: number;
  /** `present / expected * 100` (100 when nothing is expected). */
  readonly quality: number;
  /** Number of gaps. */
  readonly gaps: number;
  /** The longest gaps, longest first (ties: earliest first). */
  readonly longestGaps: readonly Gap[];
}

/** What {@link assessQuality} looks at. */
export interface QualityOptions {
  /** Where the bars are (a `BarStore`). */
  readonly source: BarSource;
  readonly calendar: TradingCalendar;
  readonly symbols: readonly string[];
  /** First session date, `YYYY-MM-DD`, inclusive. */
  readonly from: string;
  /** Last session date, inclusive. */
  readonly to: string;
  /** How many of the longest gaps to keep per row; 3. */
  readonly longest?: number;
}

/**
 * Measures stored history against the calendar: for each symbol (in the order given) and each
 * session of `[from, to]`, the expected, present and missing regular-session bars, the quality
 * and the longest gaps. Each symbol's bars are read once for the whole range. What `sessiondata
 * quality` prints.
 *
 * @example
 * ```ts
 * const rows = await assessQuality({ source: store, calendar: xnysCalendar, symbols: ["AAPL"],
 *   from: "2024-01-02", to: "2024-01-31" });
 * rows[0].quality; // e.g. 99.74
 * ```
 */
export async function assessQuality(options: QualityOptions): Promise<SessionQuality[]> {
  const { source, calendar, symbols, from, to } = options;
  const longest = options.longest ?? 3;
  if (!Number.isInteger(longest) || longest < 0) {
    throw new InvalidArgumentError(`longest must be an integer >= 0, got ${longest}`);
  }
  const sessions = calendar.sessionsBetween(from, to).map((date) => calendar.session(date)!);
  const out: SessionQuality[] = [];
  if (sessions.length === 0) return out;
  const first = sessions[0]!.open;
  const last = sessions[sessions.length - 1]!.close;
  for (const symbol of symbols) {
    const bars = await source.readBars(symbol, first, last);
    const times = new Float64Array(bars.length);
    for (let i = 0; i < bars.length; i++) times[i] = bars[i]!.time;
    for (const s of sessions) {
      const expected = calendar.expectedBarCount(s.date);
      // A break's minutes (a lunch) are neither expected nor gaps: count around it.
      const windows = outsideBreak(s.open, s.close, s);
      let present = 0;
      for (const [from, to] of windows) {
        const lo = lowerBound(times, from);
        present += lowerBound(times, to, lo) - lo;
      }
      const gaps = findGapsIn(symbol, times, windows);
      const ranked = [...gaps].sort((a, b) => b.count - a.count || a.start - b.start);
      out.push({
        symbol,
        sessionDate: s.date,
        expected,
        present,
        missing: expected - present,
        quality: expected === 0 ? 100 : (present / expected) * 100,
        gaps: gaps.length,
        longestGaps: ranked.slice(0, longest),
      });
    }
  }
  return out;
}
