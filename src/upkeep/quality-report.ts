import type { TradingCalendar } from "../calendar/trading-calendar.js";
import { InvalidArgumentError } from "../domain/errors.js";
import { addDays, utcDateOf } from "../domain/time.js";
import type { BarSource, Coverage } from "../history/bar-store.js";
import {
  expectedWindows,
  minutesIn,
  presentIn,
  qualityPercent,
  type StoredRange,
} from "./expected-minutes.js";
import { findGapsIn, type Gap } from "./gap.js";

/** The completeness of one symbol's stored bars in one session's regular hours. */
export interface SessionQuality {
  readonly symbol: string;
  readonly sessionDate: string;
  /** Expected minutes (see `expected-minutes.ts`: regular hours, less the break, within the symbol's stored range). */
  readonly expected: number;
  /** Bars stored in the expected minutes. */
  readonly present: number;
  /** `expected - present`. */
  readonly missing: number;
  /** `present / expected * 100` (100 when nothing is expected). */
  readonly quality: number;
  /** Number of gaps (0 for a missing session: it is one entry, not a gap per run). */
  readonly gaps: number;
  /** The longest gaps, longest first (ties: earliest first); empty for a missing session. */
  readonly longestGaps: readonly Gap[];
  /** Whether the session, inside the symbol's stored range, holds none of its bars. */
  readonly missingSession: boolean;
}

/** What {@link assessQuality} looks at. */
export interface QualityOptions {
  /** Where the bars are (a `BarStore`): each symbol's range comes from its `coverage`. */
  readonly source: BarSource & { coverage(symbol: string): Promise<Coverage | undefined> };
  /** The calendar of every symbol that {@link calendarOf} does not name. */
  readonly calendar: TradingCalendar;
  /** Each symbol's own calendar (e.g. the one stored with it); `calendar` when absent or `undefined`. */
  readonly calendarOf?: (symbol: string) => TradingCalendar | undefined;
  readonly symbols: readonly string[];
  /** First session date, `YYYY-MM-DD`, inclusive; narrows each symbol's own range. */
  readonly from?: string;
  /** Last session date, inclusive; narrows each symbol's own range. */
  readonly to?: string;
  /** How many of the longest gaps to keep per row; 3. */
  readonly longest?: number;
}

/**
 * The sessions of `calendar` whose expected minutes meet the stored `range` (narrowed to
 * `[from, to]`), with their windows. Candidates run from the day before the first bar's UTC date
 * to the day after the last's, so sessions labelled by the date they end (GLBX) and bars in
 * extended hours are both covered; sessions the range misses have no windows and are left out.
 */
export function sessionsInRange(
  calendar: TradingCalendar,
  range: StoredRange,
  from?: string,
  to?: string,
): { date: string; windows: [number, number][] }[] {
  let a = addDays(utcDateOf(range.first), -1);
  let b = addDays(utcDateOf(range.last), 1);
  if (from !== undefined && from > a) a = from;
  if (to !== undefined && to < b) b = to;
  const out: { date: string; windows: [number, number][] }[] = [];
  for (const date of calendar.sessionsBetween(a, b)) {
    const windows = expectedWindows(calendar.session(date)!, range);
    if (windows.length > 0) out.push({ date, windows });
  }
  return out;
}

/**
 * Measures stored history against the calendar: for each symbol (in the order given) and each
 * session of its own stored range (first stored session to last, narrowed by `from`/`to`), the
 * expected, present and missing minutes, the quality and the longest gaps. Minutes before the
 * symbol's first bar and after its last are not expected; a session in the range without a bar
 * is one `missingSession` row. Each symbol is measured on its own calendar (`calendarOf`) and its
 * bars are read once. What `sessiondata quality` prints.
 *
 * @example
 * ```ts
 * const rows = await assessQuality({ source: store, calendar: xnysCalendar, symbols: ["AAPL"] });
 * rows[0].quality; // e.g. 99.74
 * ```
 */
export async function assessQuality(options: QualityOptions): Promise<SessionQuality[]> {
  const { source, symbols, from, to } = options;
  const longest = options.longest ?? 3;
  if (!Number.isInteger(longest) || longest < 0) {
    throw new InvalidArgumentError(`longest must be an integer >= 0, got ${longest}`);
  }
  const out: SessionQuality[] = [];
  for (const symbol of symbols) {
    const range = await source.coverage(symbol);
    if (range === undefined) continue;
    const calendar = options.calendarOf?.(symbol) ?? options.calendar;
    const sessions = sessionsInRange(calendar, range, from, to);
    if (sessions.length === 0) continue;
    const first = sessions[0]!.windows[0]![0];
    const lastWindows = sessions[sessions.length - 1]!.windows;
    const last = lastWindows[lastWindows.length - 1]![1];
    const bars = await source.readBars(symbol, first, last);
    const times = new Float64Array(bars.length);
    for (let i = 0; i < bars.length; i++) times[i] = bars[i]!.time;
    for (const { date, windows } of sessions) {
      const expected = minutesIn(windows);
      const present = presentIn(times, windows);
      const missingSession = present === 0;
      const gaps = missingSession ? [] : findGapsIn(symbol, times, windows);
      const ranked = [...gaps].sort((a, b) => b.count - a.count || a.start - b.start);
      out.push({
        symbol,
        sessionDate: date,
        expected,
        present,
        missing: expected - present,
        quality: qualityPercent(present, expected),
        gaps: gaps.length,
        longestGaps: ranked.slice(0, longest),
        missingSession,
      });
    }
  }
  return out;
}
