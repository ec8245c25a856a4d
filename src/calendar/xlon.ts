import { daysFromCivil, weekdayOfDay } from "../domain/time.js";
import {
  byYear,
  easterSunday,
  lastWeekday,
  nthWeekday,
  weekendToFriday,
  weekendToMonday,
} from "./holiday-rules.js";
import { type DayHours, RuleCalendar, weekdaySessions } from "./rule-calendar.js";
import type { TradingCalendar } from "./trading-calendar.js";

/**
 * The rules of the London Stock Exchange calendar: the bank holidays of England and Wales with
 * their substitute days, the one-off bank holidays proclaimed since 1990, and the 12:30 half
 * days on Christmas Eve and New Year's Eve.
 *
 * Checked against exchange_calendars' answer file for 1990-2019; later years follow the
 * Banking and Financial Dealings Act 1971 as amended by the proclamations (GOV.UK "UK bank
 * holidays"), which moved the 2020 early May bank holiday to VE Day (Friday 8 May), the 2022
 * spring bank holiday to Thursday 2 June before the Platinum Jubilee (Friday 3 June), and added
 * the Queen's state funeral (19 September 2022) and the coronation (Monday 8 May 2023).
 */

/** The first and last year served. */
export const XLON_FIRST_YEAR = 1990;
export const XLON_LAST_YEAR = 2199;

/** 08:00–16:30 London time; 12:30 on a half day. */
const OPEN = 8 * 60;
const CLOSE = 16 * 60 + 30;
const HALF_DAY_CLOSE = 12 * 60 + 30;
const REGULAR: DayHours = Object.freeze({ open: OPEN, close: CLOSE });
const HALF_DAY: DayHours = Object.freeze({ open: OPEN, close: HALF_DAY_CLOSE, earlyClose: true });

/** Bank holidays proclaimed for one year only (royal and national events). */
const ONE_OFF_CLOSURES: ReadonlyArray<readonly [string, string]> = [
  ["1995-05-08", "VE Day, 50th anniversary (in place of the early May bank holiday)"],
  ["1999-12-31", "Millennium Eve"],
  ["2002-06-03", "Golden Jubilee"],
  ["2002-06-04", "spring bank holiday, moved for the Golden Jubilee"],
  ["2011-04-29", "wedding of Prince William and Catherine Middleton"],
  ["2012-06-04", "spring bank holiday, moved for the Diamond Jubilee"],
  ["2012-06-05", "Diamond Jubilee"],
  ["2020-05-08", "VE Day, 75th anniversary (in place of the early May bank holiday)"],
  ["2022-06-02", "spring bank holiday, moved for the Platinum Jubilee"],
  ["2022-06-03", "Platinum Jubilee"],
  ["2022-09-19", "state funeral of Queen Elizabeth II"],
  ["2023-05-08", "coronation of King Charles III"],
];
const oneOffs = byYear(ONE_OFF_CLOSURES);

/** Years whose early May or spring bank holiday a proclamation moved (see the one-offs). */
const EARLY_MAY_MOVED = new Set([1995, 2020]);
const SPRING_MOVED = new Set([2002, 2012, 2022]);

/** The closed weekdays (day number → reason) and half days of one year. */
export function xlonYearRules(year: number): {
  closed: Map<number, string>;
  halfDays: Set<number>;
} {
  const closed = new Map<number, string>();
  const close = (day: number, name: string) => {
    const wd = weekdayOfDay(day);
    if (wd !== 0 && wd !== 6) closed.set(day, name);
  };
  close(weekendToMonday(daysFromCivil(year, 1, 1)), "New Year's Day");
  const easter = easterSunday(year);
  close(easter - 2, "Good Friday");
  close(easter + 1, "Easter Monday");
  if (!EARLY_MAY_MOVED.has(year)) close(nthWeekday(year, 5, 1, 1), "early May bank holiday");
  if (!SPRING_MOVED.has(year)) close(lastWeekday(year, 5, 1), "spring bank holiday");
  close(lastWeekday(year, 8, 1), "summer bank holiday");
  // Christmas Day and Boxing Day, each moved off a weekend: the first two weekdays from the 25th.
  const christmas = daysFromCivil(year, 12, 25);
  for (let day = christmas, n = 0; n < 2; day++) {
    const wd = weekdayOfDay(day);
    if (wd === 0 || wd === 6) continue;
    closed.set(day, n === 0 ? "Christmas Day" : "Boxing Day");
    n++;
  }
  for (const [day, name] of oneOffs.get(year) ?? []) closed.set(day, name);

  // Christmas Eve and New Year's Eve close at 12:30, on the Friday before when they fall on a
  // weekend (1999's New Year's Eve was a bank holiday instead).
  const halfDays = new Set<number>();
  for (const day of [christmas - 1, daysFromCivil(year, 12, 31)]) {
    const half = weekendToFriday(day);
    if (!closed.has(half)) halfDays.add(half);
  }
  return { closed, halfDays };
}

function hoursOfYear(year: number): (DayHours | undefined)[] {
  const { closed, halfDays } = xlonYearRules(year);
  const special = new Map<number, DayHours>();
  for (const day of halfDays) special.set(day, HALF_DAY);
  return weekdaySessions(year, () => REGULAR, closed, special);
}

/**
 * The London Stock Exchange (XLON) calendar in `Europe/London`, 1990–2199: 08:00–16:30, 12:30 on
 * Christmas Eve and New Year's Eve (the Friday before when they fall on a weekend), closed on
 * the English bank holidays (substitute Mondays and Tuesdays included) and on the one-off bank
 * holidays since 1990 (jubilees, royal weddings, VE Day anniversaries, the 2022 state funeral,
 * the 2023 coronation). No extended hours. Summer time via the IANA zone (07:00–15:30 UTC).
 *
 * @example
 * ```ts
 * xlonCalendar.isTradingDay("2022-09-19");        // false: the Queen's state funeral
 * xlonCalendar.session("2024-12-24")?.earlyClose; // true: 12:30 close
 * xlonCalendar.expectedBarCount("2024-07-01");    // 510
 * ```
 */
export const xlonCalendar: TradingCalendar = new RuleCalendar({
  name: "XLON",
  timeZone: "Europe/London",
  firstYear: XLON_FIRST_YEAR,
  lastYear: XLON_LAST_YEAR,
  offsets: [0, 60],
  hoursOfYear,
});
