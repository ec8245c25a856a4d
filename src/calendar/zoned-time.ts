import { InvalidDateError } from "../domain/errors.js";

/**
 * Civil-date arithmetic and IANA time-zone offsets for calendars that live in a real time zone.
 *
 * Dates here are day numbers (days since 1970-01-01, the proleptic Gregorian calendar), computed
 * with integer arithmetic rather than `Date` objects so a calendar's hot path allocates nothing.
 * Offsets come from `Intl.DateTimeFormat` (the IANA database Node ships) and are cached per year,
 * because one `formatToParts` call costs microseconds.
 */

/** One minute in milliseconds. */
const MINUTE = 60_000;
const DAY = 86_400_000;

/**
 * The day number (days since 1970-01-01) of a proleptic Gregorian date; `month` is 1..12.
 * Howard Hinnant's `days_from_civil`, valid for any year.
 */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/** The calendar year of a day number (the inverse of {@link daysFromCivil}, year only). */
export function yearOfDay(dayNumber: number): number {
  const z = dayNumber + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  return yoe + era * 400 + (mp >= 10 ? 1 : 0);
}

/** Day of the week of a day number: 0 = Sunday … 6 = Saturday. */
export function weekdayOfDay(dayNumber: number): number {
  return (((dayNumber + 4) % 7) + 7) % 7;
}

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Days in `month` (1..12) of `year`. */
export function daysInMonth(year: number, month: number): number {
  return month === 2 && isLeap(year) ? 29 : MONTH_DAYS[month - 1]!;
}

function digit(s: string, i: number): number {
  const c = s.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : -1000;
}

/**
 * Parses a `YYYY-MM-DD` string into its day number without regular expressions or `Date`
 * (this runs on every calendar look-up). Throws {@link InvalidDateError} for anything that is not
 * a real date, e.g. `2023-02-30`.
 */
export function parseDay(date: string): number {
  if (typeof date !== "string" || date.length !== 10 || date[4] !== "-" || date[7] !== "-") {
    throw new InvalidDateError(date);
  }
  const year = digit(date, 0) * 1000 + digit(date, 1) * 100 + digit(date, 2) * 10 + digit(date, 3);
  const month = digit(date, 5) * 10 + digit(date, 6);
  const day = digit(date, 8) * 10 + digit(date, 9);
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    throw new InvalidDateError(date);
  }
  return daysFromCivil(year, month, day);
}

/** The `YYYY-MM-DD` string of a day number. */
export function formatDay(dayNumber: number): string {
  return new Date(dayNumber * DAY).toISOString().slice(0, 10);
}

/**
 * The UTC offsets of one IANA time zone, in minutes east of UTC (New York: -300 or -240),
 * resolved once per year from `Intl` and then read from a per-day table.
 *
 * The table holds the offset in force around local noon of each day. Calendars only ask about
 * instants between 04:00 and 20:00 local time of a weekday; zones switch at night, on a weekend
 * in New York, so noon's offset is the offset of the whole trading day.
 *
 * @example
 * const ny = new ZoneOffsets("America/New_York");
 * ny.offsetOnDay(daysFromCivil(2024, 7, 1)); // -240 (EDT)
 */
export class ZoneOffsets {
  /** The IANA zone name. */
  readonly timeZone: string;
  readonly #format: Intl.DateTimeFormat;
  readonly #years = new Map<number, Int16Array>();

  constructor(timeZone: string) {
    this.timeZone = timeZone;
    this.#format = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
  }

  /** The offset (minutes east of UTC) at an instant, straight from `Intl` (slow: microseconds). */
  offsetAt(time: number): number {
    let year = 0;
    let month = 0;
    let day = 0;
    let hour = 0;
    let minute = 0;
    let second = 0;
    for (const part of this.#format.formatToParts(time)) {
      const v = Number(part.value);
      switch (part.type) {
        case "year":
          year = v;
          break;
        case "month":
          month = v;
          break;
        case "day":
          day = v;
          break;
        case "hour":
          hour = v;
          break;
        case "minute":
          minute = v;
          break;
        case "second":
          second = v;
          break;
      }
    }
    const local =
      daysFromCivil(year, month, day) * DAY + ((hour * 60 + minute) * 60 + second) * 1000;
    // Truncate the instant to whole seconds, as the formatted parts are.
    return Math.round((local - Math.floor(time / 1000) * 1000) / MINUTE);
  }

  /** The offset in force at local noon of a day (cached per year). */
  offsetOnDay(dayNumber: number): number {
    const year = yearOfDay(dayNumber);
    return this.#yearTable(year)[dayNumber - daysFromCivil(year, 1, 1)]!;
  }

  /** The UTC instant of a local wall-clock time (`minutes` after local midnight) on a day. */
  localToUtc(dayNumber: number, minutes: number): number {
    return dayNumber * DAY + (minutes - this.offsetOnDay(dayNumber)) * MINUTE;
  }

  /** Offsets at local noon of every day of `year`, found with few `Intl` calls. */
  #yearTable(year: number): Int16Array {
    let table = this.#years.get(year);
    if (table !== undefined) return table;
    const first = daysFromCivil(year, 1, 1);
    const length = daysFromCivil(year + 1, 1, 1) - first;
    table = new Int16Array(length);
    // Local noon, taking January's offset as the guess: off by an hour or two on summer days, it
    // still lands on the same local day, far from the night-time switch.
    const noon =
      first * DAY + 12 * 3_600_000 - this.offsetAt(first * DAY + 12 * 3_600_000) * MINUTE;
    const at = (i: number) => this.offsetAt(noon + i * DAY);
    // Sample weekly and bisect each change: zones change offset at most a few times a year and
    // never twice within a week, so this finds every change with ~60 Intl calls instead of 366.
    let prevIndex = 0;
    let prev = at(0);
    table[0] = prev;
    for (let i = 7; prevIndex < length - 1; i += 7) {
      const index = Math.min(i, length - 1);
      const value = at(index);
      if (value === prev) {
        table.fill(value, prevIndex, index + 1);
      } else {
        let lo = prevIndex; // offset prev
        let hi = index; // offset value
        while (hi - lo > 1) {
          const mid = (lo + hi) >> 1;
          if (at(mid) === prev) lo = mid;
          else hi = mid;
        }
        table.fill(prev, prevIndex, hi);
        table.fill(value, hi, index + 1);
      }
      prevIndex = index;
      prev = value;
    }
    this.#years.set(year, table);
    return table;
  }
}
