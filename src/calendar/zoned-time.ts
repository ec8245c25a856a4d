import { daysFromCivil, yearOfDay } from "../domain/time.js";

/**
 * IANA time-zone offsets for calendars that live in a real time zone (the civil-date arithmetic
 * they rest on is in `domain/time.ts`).
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
