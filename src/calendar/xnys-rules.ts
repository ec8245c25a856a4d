import { daysFromCivil, weekdayOfDay } from "../domain/time.js";
import { byYear, easterSunday, lastWeekday, nthWeekday } from "./holiday-rules.js";

export { easterSunday };

/**
 * The rules of the New York Stock Exchange calendar: which weekdays are closed and which close
 * early, year by year. Recurring holidays and early closes are rules (weekday arithmetic, the
 * Easter computus, weekend observance); only one-off events (days of mourning, storms, 9/11)
 * are listed by date, as they follow no rule.
 *
 * Checked against the exchange_calendars answer file for 1990-01-02..2023-01-13 and the
 * pandas_market_calendars holiday list; later years follow the NYSE's published rules.
 */

/** The first year the rules are known to be complete for (early closes before 1990 are not). */
export const XNYS_FIRST_YEAR = 1990;
/** The last year served; the rules hold as long as the NYSE keeps them. */
export const XNYS_LAST_YEAR = 2199;

/** The regular open, 09:30, in minutes after local midnight. */
export const XNYS_OPEN = 9 * 60 + 30;
/** The regular close, 16:00, in minutes after local midnight. */
export const XNYS_CLOSE = 16 * 60;
/** The start of pre-market trading, 04:00, in minutes after local midnight. */
export const XNYS_PRE_OPEN = 4 * 60;
/** The end of post-market trading on a full day, 20:00, in minutes after local midnight. */
export const XNYS_POST_CLOSE = 20 * 60;
const ONE_PM = 13 * 60;
const TWO_PM = 14 * 60;

/** The closed weekdays and early closes of one year, keyed by day number. */
export interface XnysYearRules {
  /** Full-day closures on weekdays: day number → reason. */
  readonly closed: ReadonlyMap<number, string>;
  /** Early closes: day number → close in minutes after local midnight. */
  readonly earlyCloses: ReadonlyMap<number, number>;
}

/** Full-day closures that follow no rule (days of mourning, storms, 9/11), from 1990. */
const SPECIAL_CLOSURES: ReadonlyArray<readonly [string, string]> = [
  ["1994-04-27", "national day of mourning for Richard Nixon"],
  ["2001-09-11", "September 11 attacks"],
  ["2001-09-12", "September 11 attacks"],
  ["2001-09-13", "September 11 attacks"],
  ["2001-09-14", "September 11 attacks"],
  ["2004-06-11", "national day of mourning for Ronald Reagan"],
  ["2007-01-02", "national day of mourning for Gerald Ford"],
  ["2012-10-29", "Hurricane Sandy"],
  ["2012-10-30", "Hurricane Sandy"],
  ["2018-12-05", "national day of mourning for George H. W. Bush"],
  ["2025-01-09", "national day of mourning for Jimmy Carter"],
];

/** Early closes that follow no rule: the day after Christmas twice, and the eve of 2000. */
const SPECIAL_EARLY_CLOSES: ReadonlyArray<readonly [string, number]> = [
  ["1997-12-26", ONE_PM],
  ["1999-12-31", ONE_PM],
  ["2003-12-26", ONE_PM],
];

const specialClosures = byYear(SPECIAL_CLOSURES);
const specialEarlyCloses = byYear(SPECIAL_EARLY_CLOSES);

/** A fixed-date holiday moved off the weekend: Saturday → Friday, Sunday → Monday. */
function observed(day: number): number {
  const wd = weekdayOfDay(day);
  return wd === 6 ? day - 1 : wd === 0 ? day + 1 : day;
}

/**
 * The NYSE's closures and early closes in `year` (weekdays only; weekends are closed anyway).
 * `year` must lie in {@link XNYS_FIRST_YEAR}..{@link XNYS_LAST_YEAR}; the caller checks.
 */
export function xnysYearRules(year: number): XnysYearRules {
  const closed = new Map<number, string>();
  const earlyCloses = new Map<number, number>();
  const close = (day: number, name: string) => {
    const wd = weekdayOfDay(day);
    if (wd !== 0 && wd !== 6) closed.set(day, name);
  };

  // New Year's Day: a Sunday moves to Monday, but a Saturday is not observed on the Friday
  // before (NYSE Rule 7.2: that Friday ends the previous year's last session).
  const newYear = daysFromCivil(year, 1, 1);
  close(weekdayOfDay(newYear) === 0 ? newYear + 1 : newYear, "New Year's Day");
  if (year >= 1998) close(nthWeekday(year, 1, 1, 3), "Martin Luther King Jr. Day");
  close(nthWeekday(year, 2, 1, 3), "Washington's Birthday");
  close(easterSunday(year) - 2, "Good Friday");
  close(lastWeekday(year, 5, 1), "Memorial Day");
  if (year >= 2022) close(observed(daysFromCivil(year, 6, 19)), "Juneteenth");
  const july4 = daysFromCivil(year, 7, 4);
  close(observed(july4), "Independence Day");
  close(nthWeekday(year, 9, 1, 1), "Labor Day");
  const thanksgiving = nthWeekday(year, 11, 4, 4);
  close(thanksgiving, "Thanksgiving Day");
  const christmas = daysFromCivil(year, 12, 25);
  close(observed(christmas), "Christmas Day");
  for (const [day, name] of specialClosures.get(year) ?? []) closed.set(day, name);

  // Independence Day: from 1995 the day before closes at 13:00 when it is a Monday, Tuesday or
  // Thursday; a Wednesday July 3 did so only from 2013, before which the Friday after a
  // Thursday July 4 closed early instead (1996, 2002).
  if (year >= 1995) {
    const july3 = july4 - 1;
    const wd = weekdayOfDay(july3);
    if (wd === 1 || wd === 2 || wd === 4 || (wd === 3 && year >= 2013))
      earlyCloses.set(july3, ONE_PM);
    if (wd === 3 && year < 2013) earlyCloses.set(july4 + 1, ONE_PM);
  }
  // The day after Thanksgiving: 14:00 in 1992, 13:00 from 1993.
  if (year === 1992) earlyCloses.set(thanksgiving + 1, TWO_PM);
  if (year >= 1993) earlyCloses.set(thanksgiving + 1, ONE_PM);
  // Christmas Eve on Monday..Thursday (a Friday one is the observed Christmas): 14:00 until
  // 1992, 13:00 from 1993.
  const christmasEve = christmas - 1;
  const eveWd = weekdayOfDay(christmasEve);
  if (eveWd >= 1 && eveWd <= 4) earlyCloses.set(christmasEve, year < 1993 ? TWO_PM : ONE_PM);
  for (const [day, minutes] of specialEarlyCloses.get(year) ?? []) earlyCloses.set(day, minutes);
  for (const day of closed.keys()) earlyCloses.delete(day);

  return { closed, earlyCloses };
}
