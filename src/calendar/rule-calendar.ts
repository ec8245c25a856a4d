import { InvalidDateError } from "../domain/errors.js";
import { DAY_MS, daysFromCivil, formatDay, parseDay, yearOfDay } from "../domain/time.js";
import {
  inRegularHours,
  regularBarCount,
  type Session,
  type TradingCalendar,
} from "./trading-calendar.js";
import { ZoneOffsets } from "./zoned-time.js";

const MINUTE_MS = 60_000;

/**
 * One day's trading hours, in minutes after local midnight of the session's date. A negative
 * time lies on the evening before (CME Globex opens at -420, 17:00 the day before).
 */
export interface DayHours {
  readonly open: number;
  readonly close: number;
  /** The break (a lunch), both or neither. */
  readonly breakStart?: number;
  readonly breakEnd?: number;
  /** Extended hours; default: none (`open` and `close`). */
  readonly preOpen?: number;
  readonly postClose?: number;
  /** Whether this is a shortened day (a half day before a holiday). */
  readonly earlyClose?: boolean;
}

/** What an exchange's rules tell a {@link RuleCalendar}. */
export interface CalendarRules {
  /** The calendar's name (its MIC). */
  readonly name: string;
  /** The IANA zone the hours are in. */
  readonly timeZone: string;
  /** The first and last year the rules are known for. */
  readonly firstYear: number;
  readonly lastYear: number;
  /**
   * The least and greatest UTC offsets (minutes east) the zone takes in the years served, e.g.
   * `[0, 60]` for London: an instant's local date is then one of at most two days.
   */
  readonly offsets: readonly [number, number];
  /** Whether sessions open on the evening before their date (hours with a negative open). */
  readonly opensTheDayBefore?: boolean;
  /** The hours of every day of `year`, index 0 = January 1 (`undefined` = no session). */
  hoursOfYear(year: number): ReadonlyArray<DayHours | undefined>;
}

/** One year's sessions, indexed by day of the year; `undefined` on a closed day. */
interface YearTable {
  readonly firstDay: number;
  readonly sessions: ReadonlyArray<Session | undefined>;
}

/**
 * A calendar computed from an exchange's rules (see {@link CalendarRules}): each year's sessions
 * are built on first use and kept, so every look-up after the first of a year is a few
 * arithmetic operations and an array read, and the same frozen {@link Session} object comes back
 * each time. Dates outside the rules' years throw `InvalidDateError`; instants outside them lie
 * in no session.
 */
export class RuleCalendar implements TradingCalendar {
  readonly name: string;
  readonly timeZone: string;
  readonly #rules: CalendarRules;
  readonly #zone: ZoneOffsets;
  readonly #firstDay: number;
  readonly #lastDay: number;
  readonly #range: string;
  /** Offsets in ms: an instant's local day is `floor((t + offset) / DAY)` for one of them. */
  readonly #minOffset: number;
  readonly #maxOffset: number;
  /** 1 when a session can open on the day before its date: its local day may be the day after. */
  readonly #ahead: number;
  readonly #years: (YearTable | undefined)[] = [];
  /** The table of the last look-up: consecutive calls mostly stay within one year. */
  #last: YearTable | undefined;

  constructor(rules: CalendarRules) {
    this.#rules = rules;
    this.name = rules.name;
    this.timeZone = rules.timeZone;
    this.#zone = new ZoneOffsets(rules.timeZone);
    this.#firstDay = daysFromCivil(rules.firstYear, 1, 1);
    this.#lastDay = daysFromCivil(rules.lastYear, 12, 31);
    this.#range = `${rules.firstYear}-01-01..${rules.lastYear}-12-31`;
    this.#minOffset = rules.offsets[0] * MINUTE_MS;
    this.#maxOffset = rules.offsets[1] * MINUTE_MS;
    this.#ahead = rules.opensTheDayBefore === true ? 1 : 0;
  }

  /** The day number of `date`, refusing dates outside the supported range. */
  #day(date: string): number {
    const day = parseDay(date);
    if (day < this.#firstDay || day > this.#lastDay) {
      throw new InvalidDateError(
        date,
        `is outside the ${this.name} calendar's supported range ${this.#range}`,
      );
    }
    return day;
  }

  #table(day: number): YearTable {
    const last = this.#last;
    if (last !== undefined && day >= last.firstDay && day - last.firstDay < last.sessions.length) {
      return last;
    }
    const year = yearOfDay(day);
    const table = this.#years[year - this.#rules.firstYear] ?? this.#build(year);
    this.#last = table;
    return table;
  }

  #sessionOfDay(day: number): Session | undefined {
    const table = this.#table(day);
    return table.sessions[day - table.firstDay];
  }

  /** A local time (minutes after midnight of `day`, negative: the evening before) in UTC. */
  #utc(day: number, minutes: number): number {
    // The offset of the evening before, not of the session day: a zone may switch between.
    return minutes < 0
      ? this.#zone.localToUtc(day - 1, minutes + 1440)
      : this.#zone.localToUtc(day, minutes);
  }

  #build(year: number): YearTable {
    const hours = this.#rules.hoursOfYear(year);
    const firstDay = daysFromCivil(year, 1, 1);
    const length = daysFromCivil(year + 1, 1, 1) - firstDay;
    const sessions: (Session | undefined)[] = new Array(length).fill(undefined);
    for (let i = 0; i < length; i++) {
      const h = hours[i];
      if (h === undefined) continue;
      const day = firstDay + i;
      const open = this.#utc(day, h.open);
      const close = this.#utc(day, h.close);
      const session: Session = {
        date: formatDay(day),
        open,
        close,
        preOpen: h.preOpen === undefined ? open : this.#utc(day, h.preOpen),
        postClose: h.postClose === undefined ? close : this.#utc(day, h.postClose),
        earlyClose: h.earlyClose === true,
      };
      sessions[i] = Object.freeze(
        h.breakStart === undefined || h.breakEnd === undefined
          ? session
          : {
              ...session,
              breakStart: this.#utc(day, h.breakStart),
              breakEnd: this.#utc(day, h.breakEnd),
            },
      );
    }
    const table: YearTable = { firstDay, sessions };
    this.#years[year - this.#rules.firstYear] = table;
    return table;
  }

  /** The session whose `[preOpen, postClose)` holds `time`, if any. */
  #sessionAt(time: number): Session | undefined {
    if (!Number.isFinite(time)) return undefined;
    // The local date is the UTC date shifted by the zone's offset; rather than ask which offset
    // applies, try each candidate day: a session's hours hold an instant for one day at most.
    let day = Math.floor((time + this.#minOffset) / DAY_MS);
    const last = Math.floor((time + this.#maxOffset) / DAY_MS) + this.#ahead;
    // A look-up, not a validation: an instant outside the supported range lies in no session
    // the calendar knows, so callers (the store) refuse such a bar as they refuse a weekend one.
    if (day < this.#firstDay) day = this.#firstDay;
    for (const end = Math.min(last, this.#lastDay); day <= end; day++) {
      const s = this.#sessionOfDay(day);
      if (s !== undefined && time >= s.preOpen && time < s.postClose) return s;
    }
    return undefined;
  }

  isTradingDay(date: string): boolean {
    return this.#sessionOfDay(this.#day(date)) !== undefined;
  }

  session(date: string): Session | undefined {
    return this.#sessionOfDay(this.#day(date));
  }

  sessionDateOf(time: number): string | undefined {
    return this.#sessionAt(time)?.date;
  }

  isOpen(time: number): boolean {
    return inRegularHours(this.#sessionAt(time), time);
  }

  nextSession(date: string): string {
    for (let day = this.#day(date) + 1; day <= this.#lastDay; day++) {
      const s = this.#sessionOfDay(day);
      if (s !== undefined) return s.date;
    }
    throw new InvalidDateError(date, `has no next session within ${this.#range}`);
  }

  previousSession(date: string): string {
    for (let day = this.#day(date) - 1; day >= this.#firstDay; day--) {
      const s = this.#sessionOfDay(day);
      if (s !== undefined) return s.date;
    }
    throw new InvalidDateError(date, `has no previous session within ${this.#range}`);
  }

  sessionsBetween(from: string, to: string): string[] {
    const last = this.#day(to);
    const out: string[] = [];
    for (let day = this.#day(from); day <= last; day++) {
      const s = this.#sessionOfDay(day);
      if (s !== undefined) out.push(s.date);
    }
    return out;
  }

  expectedBarCount(date: string, until?: number): number {
    return regularBarCount(this.session(date), until);
  }
}

/**
 * A year of weekday sessions at `regular` hours, less `closed` days, with `special` hours on
 * some days (half days): what most exchanges' rules come down to. Weekend entries are ignored.
 */
export function weekdaySessions(
  year: number,
  regular: (day: number) => DayHours,
  closed: ReadonlyMap<number, string> | ReadonlySet<number>,
  special: ReadonlyMap<number, DayHours> = new Map(),
): (DayHours | undefined)[] {
  const first = daysFromCivil(year, 1, 1);
  const length = daysFromCivil(year + 1, 1, 1) - first;
  const out: (DayHours | undefined)[] = new Array(length).fill(undefined);
  // Day 0 was a Thursday: weekday = (day + 4) mod 7.
  for (let i = 0, wd = (((first + 4) % 7) + 7) % 7; i < length; i++, wd = (wd + 1) % 7) {
    const day = first + i;
    if (wd === 0 || wd === 6 || closed.has(day)) continue;
    out[i] = special.get(day) ?? regular(day);
  }
  return out;
}
