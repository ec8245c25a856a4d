import { daysFromCivil, weekdayOfDay } from "../domain/time.js";
import { byYear, nthWeekday } from "./holiday-rules.js";

/**
 * Japan's national holidays (国民の祝日) by the Act on National Holidays as amended, computed
 * for 1990–2099: fixed days, the Happy Monday days (2000 and 2003 amendments), the equinoxes,
 * the substitute holiday (振替休日) for a holiday on a Sunday and the citizens' holiday
 * (国民の休日) for a day sandwiched between two holidays, plus the one-off days fixed by special
 * acts (imperial ceremonies, the 2020/2021 Olympic moves).
 */

/** The years the rules (the equinox formulas above all) hold for. */
export const JAPAN_FIRST_YEAR = 1990;
export const JAPAN_LAST_YEAR = 2099;

/**
 * Holidays fixed by a special act for one year, and the Olympic years' moved days: the Tokyo
 * 2020 special measures act moved Marine Day, Sports Day and Mountain Day to frame the opening
 * and closing ceremonies in 2020, and again (amended, after the postponement) in 2021.
 */
const ONE_OFF_HOLIDAYS: ReadonlyArray<readonly [string, string]> = [
  ["1990-11-12", "enthronement ceremony of Emperor Akihito"],
  ["1993-06-09", "wedding of Crown Prince Naruhito"],
  ["2019-05-01", "enthronement of Emperor Naruhito"],
  ["2019-10-22", "enthronement ceremony of Emperor Naruhito"],
  ["2020-07-23", "Marine Day (moved for the Olympics)"],
  ["2020-07-24", "Sports Day (moved for the Olympics)"],
  ["2020-08-10", "Mountain Day (moved for the Olympics)"],
  ["2021-07-22", "Marine Day (moved for the Olympics)"],
  ["2021-07-23", "Sports Day (moved for the Olympics)"],
  ["2021-08-08", "Mountain Day (moved for the Olympics)"],
];
const oneOffs = byYear(ONE_OFF_HOLIDAYS);

/**
 * The day of March of the vernal equinox (春分の日) in Japan, 1980–2099: the National
 * Astronomical Observatory's standard approximation (its announced dates agree throughout).
 */
export function vernalEquinoxDay(year: number): number {
  return Math.floor(20.8431 + 0.242194 * (year - 1980) - Math.floor((year - 1980) / 4));
}

/** The day of September of the autumnal equinox (秋分の日), 1980–2099, likewise. */
export function autumnalEquinoxDay(year: number): number {
  return Math.floor(23.2488 + 0.242194 * (year - 1980) - Math.floor((year - 1980) / 4));
}

/** The national holidays proper (祝日) of `year`: day number → name. */
function namedHolidays(year: number): Map<number, string> {
  const h = new Map<number, string>();
  const on = (month: number, day: number, name: string) =>
    h.set(daysFromCivil(year, month, day), name);
  const olympic = year === 2020 || year === 2021;

  on(1, 1, "New Year's Day");
  if (year < 2000) on(1, 15, "Coming of Age Day");
  else h.set(nthWeekday(year, 1, 1, 2), "Coming of Age Day");
  on(2, 11, "National Foundation Day");
  if (year >= 2020) on(2, 23, "Emperor's Birthday");
  on(3, vernalEquinoxDay(year), "Vernal Equinox Day");
  on(4, 29, year < 2007 ? "Greenery Day" : "Showa Day");
  on(5, 3, "Constitution Memorial Day");
  if (year >= 2007) on(5, 4, "Greenery Day");
  on(5, 5, "Children's Day");
  if (year >= 1996 && year < 2003) on(7, 20, "Marine Day");
  else if (year >= 2003 && !olympic) h.set(nthWeekday(year, 7, 1, 3), "Marine Day");
  if (year >= 2016 && !olympic) on(8, 11, "Mountain Day");
  if (year < 2003) on(9, 15, "Respect for the Aged Day");
  else h.set(nthWeekday(year, 9, 1, 3), "Respect for the Aged Day");
  on(9, autumnalEquinoxDay(year), "Autumnal Equinox Day");
  if (year < 2000) on(10, 10, "Health and Sports Day");
  else if (!olympic)
    h.set(nthWeekday(year, 10, 1, 2), year < 2020 ? "Health and Sports Day" : "Sports Day");
  on(11, 3, "Culture Day");
  on(11, 23, "Labour Thanksgiving Day");
  if (year < 2019) on(12, 23, "Emperor's Birthday");
  for (const [day, name] of oneOffs.get(year) ?? []) h.set(day, name);
  return h;
}

/**
 * Every holiday of `year`, day number → name: the national holidays, their substitutes and the
 * sandwiched citizens' holidays (weekends included; a caller drops what it does not need).
 */
export function japaneseHolidays(year: number): Map<number, string> {
  const named = namedHolidays(year);
  const all = new Map(named);
  // A holiday on a Sunday gives the next day that is no holiday (before 2007: the Monday; the
  // Golden Week overlap this changed is May 3 on a Sunday, whose substitute moved to May 6).
  for (const day of named.keys()) {
    if (weekdayOfDay(day) !== 0) continue;
    let sub = day + 1;
    if (year >= 2007) while (named.has(sub)) sub++;
    if (!named.has(sub)) all.set(sub, "substitute holiday");
  }
  // A day between two national holidays is a holiday itself (from 1988; never a Sunday, which
  // is a rest day anyway, nor a day already off).
  for (const day of named.keys()) {
    const between = day + 1;
    if (named.has(day + 2) && !all.has(between) && weekdayOfDay(between) !== 0) {
      all.set(between, "citizens' holiday");
    }
  }
  return all;
}
