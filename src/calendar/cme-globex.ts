import { daysFromCivil, weekdayOfDay } from "../domain/time.js";
import { byYear, easterSunday } from "./holiday-rules.js";
import { type DayHours, RuleCalendar, weekdaySessions } from "./rule-calendar.js";
import type { TradingCalendar } from "./trading-calendar.js";

/**
 * The rules of CME Globex, the CME Group's electronic market (one calendar for its FX, equity
 * index, interest-rate, energy and metals futures): a session is labelled by the date it ends
 * and runs from 17:00 Chicago time the evening before to 16:00, so the daily 16:00–17:00
 * maintenance halt and the weekend (Friday 16:00 to Sunday 17:00) lie outside every session.
 * Globex shuts for the whole day on New Year's Day, Good Friday and Christmas Day and on
 * national days of mourning; on the other US holidays it trades (CME's holiday schedules halt
 * some products early on those days; the calendar counts them whole, as the 6E futures data of
 * MLK Day 2024 trades through).
 *
 * Which dates are sessions is checked against exchange_calendars' CMES answer file, 1990-2019.
 */

export const GLBX_FIRST_YEAR = 1990;
export const GLBX_LAST_YEAR = 2199;

/** 17:00 the evening before (minutes after the session date's midnight) to 16:00. */
const HOURS: DayHours = Object.freeze({ open: -7 * 60, close: 16 * 60 });

/** Full-day closures that follow no rule: national days of mourning. */
const ONE_OFF_CLOSURES: ReadonlyArray<readonly [string, string]> = [
  ["1994-04-27", "national day of mourning for Richard Nixon"],
  ["2004-06-11", "national day of mourning for Ronald Reagan"],
  ["2007-01-02", "national day of mourning for Gerald Ford"],
  ["2018-12-05", "national day of mourning for George H. W. Bush"],
  ["2025-01-09", "national day of mourning for Jimmy Carter"],
];
const oneOffs = byYear(ONE_OFF_CLOSURES);

/** The session dates Globex is closed in `year` (weekdays), day number → reason. */
export function glbxClosures(year: number): Map<number, string> {
  const closed = new Map<number, string>();
  const close = (day: number, name: string) => {
    const wd = weekdayOfDay(day);
    if (wd !== 0 && wd !== 6) closed.set(day, name);
  };
  // New Year's Day on a Sunday closes the Monday; on a Saturday the Friday before still trades.
  const newYear = daysFromCivil(year, 1, 1);
  close(weekdayOfDay(newYear) === 0 ? newYear + 1 : newYear, "New Year's Day");
  close(easterSunday(year) - 2, "Good Friday");
  const christmas = daysFromCivil(year, 12, 25);
  const wd = weekdayOfDay(christmas);
  close(wd === 6 ? christmas - 1 : wd === 0 ? christmas + 1 : christmas, "Christmas Day");
  for (const [day, name] of oneOffs.get(year) ?? []) closed.set(day, name);
  return closed;
}

function hoursOfYear(year: number): (DayHours | undefined)[] {
  return weekdaySessions(year, () => HOURS, glbxClosures(year));
}

/**
 * CME Globex (GLBX, alias `CME`) in `America/Chicago`, 1990–2199: the session of date `D` runs
 * from 17:00 Chicago time on the day before `D` (Sunday evening for a Monday, the holiday itself
 * for the session after one) to 16:00 on `D`, 1,380 minutes; the 16:00–17:00 halt and the weekend
 * lie outside sessions. Closed on New Year's Day, Good Friday, Christmas Day and days of
 * mourning. No extended hours, no breaks.
 *
 * @example
 * ```ts
 * cmeGlobexCalendar.session("2024-01-02");        // open 2024-01-01T23:00Z, close 2024-01-02T22:00Z
 * cmeGlobexCalendar.sessionDateOf(Date.parse("2024-01-05T22:30Z")); // undefined: the halt
 * cmeGlobexCalendar.expectedBarCount("2024-01-15"); // 1380 (MLK Day trades)
 * ```
 */
export const cmeGlobexCalendar: TradingCalendar = new RuleCalendar({
  name: "GLBX",
  timeZone: "America/Chicago",
  firstYear: GLBX_FIRST_YEAR,
  lastYear: GLBX_LAST_YEAR,
  offsets: [-360, -300],
  opensTheDayBefore: true,
  hoursOfYear,
});
