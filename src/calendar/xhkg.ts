import { daysFromCivil, parseDay, weekdayOfDay } from "../domain/time.js";
import { byYear, easterSunday, lastWeekday } from "./holiday-rules.js";
import { LUNISOLAR_FIRST_YEAR, LUNISOLAR_LAST_YEAR, lunisolarYear } from "./lunisolar-dates.js";
import { type DayHours, RuleCalendar, weekdaySessions } from "./rule-calendar.js";
import type { TradingCalendar } from "./trading-calendar.js";

/**
 * The rules of the Hong Kong Stock Exchange calendar: Hong Kong's general holidays (General
 * Holidays Ordinance, Cap. 149) with their substitute days, the lunisolar festivals from
 * `lunisolar-dates.ts`, the half days before Christmas, New Year and Lunar New Year, and the
 * days HKEX cancelled all trading for a typhoon or a black rainstorm (a morning-only
 * cancellation is not modelled: the session keeps its hours). Since 2024-09-23 HKEX trades
 * through severe weather, so the dated list ends with typhoon Yagi (2024-09-06).
 *
 * Checked against exchange_calendars' answer file for 1990-2019, whose conventions it keeps
 * there: the lunch break as 12:00-13:00 throughout (before 2012-03-05 the afternoon session
 * began later), Buddha's Birthday closed before it became a general holiday in 1999, and the
 * colonial holidays (the Queen's Birthday, Liberation Day) as they list them. Later years follow
 * the Government Gazette's general holidays and HKEX's notices.
 */

const H = (hh: number, mm = 0) => hh * 60 + mm;
/** Trading hours changed on 2011-03-07: the open moved from 10:00 to 09:30. */
const HOURS_CHANGED = parseDay("2011-03-07");
const OLD_HOURS: DayHours = Object.freeze({
  open: H(10),
  breakStart: H(12),
  breakEnd: H(13),
  close: H(16),
});
const HOURS: DayHours = Object.freeze({
  open: H(9, 30),
  breakStart: H(12),
  breakEnd: H(13),
  close: H(16),
});
const OLD_HALF_DAY: DayHours = Object.freeze({ open: H(10), close: H(12, 30), earlyClose: true });
const HALF_DAY: DayHours = Object.freeze({ open: H(9, 30), close: H(12), earlyClose: true });

/** Closures that follow no rule: typhoons, rainstorms, one-off holidays. */
const ONE_OFF_CLOSURES: ReadonlyArray<readonly [string, string]> = [
  ["1990-06-18", "the Queen's Birthday"],
  ["1991-06-18", "the day following the Queen's Birthday"],
  ["1992-06-15", "the Queen's Birthday"],
  ["1992-07-22", "typhoon Cary"],
  ["1993-06-14", "the Queen's Birthday"],
  ["1993-09-17", "typhoon Becky"],
  ["1994-06-14", "the day following the Queen's Birthday"],
  ["1995-06-19", "the Queen's Birthday"],
  ["1996-06-17", "the Queen's Birthday"],
  ["1997-06-30", "the Queen's Birthday (the handover)"],
  ["1997-07-02", "the day following HKSAR Establishment Day"],
  ["1997-08-18", "Sino-Japanese War Victory Day"],
  ["1997-10-02", "the day following National Day"],
  ["1998-08-17", "Sino-Japanese War Victory Day"],
  ["1998-10-02", "the day following National Day"],
  ["1999-09-16", "typhoon York"],
  ["1999-12-31", "millennium eve"],
  ["2001-07-06", "typhoon Utor"],
  ["2001-07-25", "typhoon Yutu"],
  ["2008-08-06", "typhoon Kammuri"],
  ["2008-08-22", "typhoon Nuri"],
  ["2011-09-29", "typhoon Nesat"],
  ["2013-08-14", "typhoon Utor"],
  ["2015-09-03", "70th anniversary of the victory of the War of Resistance"],
  ["2016-08-02", "typhoon Nida"],
  ["2016-10-21", "typhoon Haima"],
  ["2017-08-23", "typhoon Hato"],
  ["2020-10-13", "typhoon Nangka"],
  ["2021-10-13", "typhoon Kompasu"],
  ["2023-07-17", "typhoon Talim"],
  ["2023-09-01", "typhoon Saola"],
  ["2023-09-08", "black rainstorm"],
  ["2024-09-06", "typhoon Yagi"],
];
const oneOffs = byYear(ONE_OFF_CLOSURES);

/** The closed weekdays (day number → reason) and half days of one year (1990–2099). */
export function xhkgYearRules(year: number): {
  closed: Map<number, string>;
  halfDays: Set<number>;
} {
  // Every general holiday, Saturdays included: a holiday that falls on a Sunday, or on a day
  // another holiday holds, moves to the next day that is neither (Cap. 149).
  const holidays = new Map<number, string>();
  const add = (day: number, name: string, offSunday = true) => {
    let d = day;
    while ((offSunday && weekdayOfDay(d) === 0) || holidays.has(d)) d++;
    holidays.set(d, name);
  };
  const lunar = lunisolarYear(year)!;
  const easter = easterSunday(year);
  const lny = lunar.lunarNewYear;
  add(daysFromCivil(year, 1, 1), "New Year's Day");
  for (let i = 0; i < 3; i++) holidays.set(lny + i, "Lunar New Year");
  // The eve and the fourth day substitute for a Sunday among the three: only whole days count.
  const lnySunday = [0, 1, 2].some((i) => weekdayOfDay(lny + i) === 0);
  if (year >= 2013) {
    // The 2011 amendment: a Sunday among the three days gives the fourth day.
    if (lnySunday) holidays.set(lny + 3, "the fourth day of Lunar New Year");
  } else if (weekdayOfDay(lny) === 6) {
    holidays.set(lny - 1, "the day preceding Lunar New Year's Day");
  }
  add(easter - 2, "Good Friday");
  add(easter - 1, "the day following Good Friday");
  add(easter + 1, "Easter Monday");
  add(lunar.chingMing, "Ching Ming Festival");
  if (year >= 1999) add(daysFromCivil(year, 5, 1), "Labour Day");
  add(lunar.buddhasBirthday, "the Birthday of the Buddha");
  add(lunar.tuenNg, "Tuen Ng Festival");
  if (year >= 1997) add(daysFromCivil(year, 7, 1), "HKSAR Establishment Day");
  const october1 = daysFromCivil(year, 10, 1);
  if (year >= 1997) add(october1, "National Day");
  // Before 2022 a Sunday here was not moved (the Saturday festival itself was the holiday); it
  // never falls on 1 October (in 1993, before National Day was a holiday, as the answer file has it).
  const afterMidAutumn = lunar.midAutumn + 1;
  add(
    afterMidAutumn === october1 ? afterMidAutumn + 1 : afterMidAutumn,
    "the day following the Chinese Mid-Autumn Festival",
    year >= 2022,
  );
  add(lunar.chungYeung, "Chung Yeung Festival");
  if (year <= 1996) add(lastWeekday(year, 8, 1), "Liberation Day");
  const christmas = daysFromCivil(year, 12, 25);
  add(christmas, "Christmas Day");
  add(christmas + 1, "the first weekday after Christmas Day");
  for (const [day, name] of oneOffs.get(year) ?? []) holidays.set(day, name);

  const closed = new Map<number, string>();
  for (const [day, name] of holidays) if (weekdayOfDay(day) !== 6) closed.set(day, name);
  const halfDays = new Set<number>();
  const eves = [christmas - 1, daysFromCivil(year, 12, 31)];
  if (year >= 2013) eves.push(lny - 1);
  for (const eve of eves) {
    const ewd = weekdayOfDay(eve);
    if (ewd !== 0 && ewd !== 6 && !closed.has(eve)) halfDays.add(eve);
  }
  return { closed, halfDays };
}

function hoursOfYear(year: number): (DayHours | undefined)[] {
  const { closed, halfDays } = xhkgYearRules(year);
  const special = new Map<number, DayHours>();
  for (const day of halfDays) special.set(day, day < HOURS_CHANGED ? OLD_HALF_DAY : HALF_DAY);
  return weekdaySessions(year, (day) => (day < HOURS_CHANGED ? OLD_HOURS : HOURS), closed, special);
}

/**
 * The Hong Kong Stock Exchange (XHKG) calendar in `Asia/Hong_Kong` (no daylight saving),
 * 1990–2099: 09:30–12:00 and 13:00–16:00 (10:00 open before 2011-03-07), the lunch break outside
 * the session; half days (to 12:00, 12:30 before 2011-03-07, no break) on the eves of Christmas,
 * New Year and, from 2013, Lunar New Year; closed on Hong Kong's general holidays, the lunisolar
 * ones (Lunar New Year, Ching Ming, Buddha's Birthday, Tuen Ng, the day after Mid-Autumn,
 * Chung Yeung) from a table to 2099, with the Sunday and clash substitutions, and on the dated
 * typhoon and rainstorm closures. No extended hours.
 *
 * @example
 * ```ts
 * xhkgCalendar.isTradingDay("2025-01-29");       // false: Lunar New Year
 * xhkgCalendar.session("2025-01-28")?.earlyClose; // true: the eve closes at 12:00
 * xhkgCalendar.expectedBarCount("2025-07-02");   // 330 (150 + 180 minutes)
 * ```
 */
export const xhkgCalendar: TradingCalendar = new RuleCalendar({
  name: "XHKG",
  timeZone: "Asia/Hong_Kong",
  firstYear: LUNISOLAR_FIRST_YEAR,
  lastYear: LUNISOLAR_LAST_YEAR,
  offsets: [480, 480],
  hoursOfYear,
});
