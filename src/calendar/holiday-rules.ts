import { daysFromCivil, daysInMonth, parseDay, weekdayOfDay } from "../domain/time.js";

/**
 * Date arithmetic the exchange calendars' holiday rules share: the n-th or last weekday of a
 * month, Easter, weekend observance. Every date is a day number (days since 1970-01-01).
 */

/** The day number of the `n`-th (1-based) `weekday` (0 = Sunday) of a month. */
export function nthWeekday(year: number, month: number, weekday: number, n: number): number {
  const first = daysFromCivil(year, month, 1);
  return first + ((weekday - weekdayOfDay(first) + 7) % 7) + (n - 1) * 7;
}

/** The day number of the last `weekday` of a month. */
export function lastWeekday(year: number, month: number, weekday: number): number {
  const last = daysFromCivil(year, month, daysInMonth(year, month));
  return last - ((weekdayOfDay(last) - weekday + 7) % 7);
}

/** Easter Sunday (Gregorian), by the anonymous computus (Meeus/Jones/Butcher). */
export function easterSunday(year: number): number {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return daysFromCivil(year, month, day);
}

/** Whether a day number is a Saturday or a Sunday. */
export function isWeekend(day: number): boolean {
  const wd = weekdayOfDay(day);
  return wd === 0 || wd === 6;
}

/** A day moved off a Sunday to the Monday after (Saturdays stay: the market is shut anyway). */
export function sundayToMonday(day: number): number {
  return weekdayOfDay(day) === 0 ? day + 1 : day;
}

/** A day moved off the weekend to the Monday after. */
export function weekendToMonday(day: number): number {
  const wd = weekdayOfDay(day);
  return wd === 6 ? day + 2 : wd === 0 ? day + 1 : day;
}

/** The day itself on a weekday, else the Friday before. */
export function weekendToFriday(day: number): number {
  const wd = weekdayOfDay(day);
  return wd === 6 ? day - 1 : wd === 0 ? day - 2 : day;
}

/**
 * Dated entries grouped by year: `[date, value]` pairs with `YYYY-MM-DD` dates become
 * year → day number → value, so a year's rules take their one-offs in one look-up.
 */
export function byYear<T>(list: ReadonlyArray<readonly [string, T]>): Map<number, Map<number, T>> {
  const out = new Map<number, Map<number, T>>();
  for (const [date, value] of list) {
    const year = Number(date.slice(0, 4));
    let m = out.get(year);
    if (m === undefined) out.set(year, (m = new Map()));
    m.set(parseDay(date), value);
  }
  return out;
}
