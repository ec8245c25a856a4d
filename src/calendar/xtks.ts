import { daysFromCivil, parseDay } from "../domain/time.js";
import { byYear } from "./holiday-rules.js";
import { JAPAN_FIRST_YEAR, JAPAN_LAST_YEAR, japaneseHolidays } from "./japan-holidays.js";
import { type DayHours, RuleCalendar, weekdaySessions } from "./rule-calendar.js";
import type { TradingCalendar } from "./trading-calendar.js";

/**
 * The rules of the Tokyo Stock Exchange calendar (JPX, "Trading hours" and "Market holidays"):
 * closed on Japan's national holidays (see `japan-holidays.ts`) and over the year-end holidays
 * December 31 to January 3; a morning session from 09:00 to 11:30 and an afternoon session from
 * 12:30 to the close, 15:00 until 2024-11-04 and 15:30 from 2024-11-05 (arrowhead 4.0).
 *
 * Checked against exchange_calendars' answer file for 2000-2019. The break is 11:30–12:30
 * throughout, as in that file (the morning session ended at 11:00 before 2011-11-21).
 */

const OPEN = 9 * 60;
const BREAK_START = 11 * 60 + 30;
const BREAK_END = 12 * 60 + 30;
/** The afternoon session closed at 15:00 until 2024-11-04 and closes at 15:30 since. */
const CLOSE_BEFORE_2024 = 15 * 60;
const CLOSE = 15 * 60 + 30;
const LONGER_CLOSE_FROM = parseDay("2024-11-05");

const hours = (close: number): DayHours =>
  Object.freeze({ open: OPEN, breakStart: BREAK_START, breakEnd: BREAK_END, close });
const BEFORE_2024 = hours(CLOSE_BEFORE_2024);
const REGULAR = hours(CLOSE);

/** Full-day closures that are no holiday. */
const ONE_OFF_CLOSURES: ReadonlyArray<readonly [string, string]> = [
  ["2020-10-01", "equity trading system failure (arrowhead)"],
];
const oneOffs = byYear(ONE_OFF_CLOSURES);

/** The closed weekdays of one year, day number → reason. */
export function xtksClosures(year: number): Map<number, string> {
  const closed = japaneseHolidays(year);
  for (const [month, day] of [
    [1, 1],
    [1, 2],
    [1, 3],
    [12, 31],
  ] as const) {
    closed.set(daysFromCivil(year, month, day), "year-end holidays");
  }
  for (const [day, reason] of oneOffs.get(year) ?? []) closed.set(day, reason);
  return closed;
}

function hoursOfYear(year: number): (DayHours | undefined)[] {
  return weekdaySessions(
    year,
    (day) => (day < LONGER_CLOSE_FROM ? BEFORE_2024 : REGULAR),
    xtksClosures(year),
  );
}

/**
 * The Tokyo Stock Exchange (XTKS) calendar in `Asia/Tokyo` (no daylight saving), 1990–2099:
 * 09:00–11:30 and 12:30–15:30 (15:00 before 2024-11-05), the lunch break outside the session;
 * closed on Japan's national holidays with their substitute and sandwiched days, the equinoxes
 * computed, the Happy Monday rules, the 2019 enthronement days and the Olympic moves of 2020 and
 * 2021, and from December 31 to January 3. No extended hours, no half days.
 *
 * @example
 * ```ts
 * xtksCalendar.session("2025-01-06");           // breakStart 02:30Z, breakEnd 03:30Z, close 06:30Z
 * xtksCalendar.expectedBarCount("2025-01-06");  // 330 (150 + 180 minutes; the lunch not counted)
 * xtksCalendar.isTradingDay("2020-07-24");      // false: Sports Day, moved for the Olympics
 * ```
 */
export const xtksCalendar: TradingCalendar = new RuleCalendar({
  name: "XTKS",
  timeZone: "Asia/Tokyo",
  firstYear: JAPAN_FIRST_YEAR,
  lastYear: JAPAN_LAST_YEAR,
  offsets: [540, 540],
  hoursOfYear,
});
