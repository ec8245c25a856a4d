import { InvalidDateError } from "../domain/errors.js";
import { daysFromCivil, formatDay, parseDay, weekdayOfDay, yearOfDay } from "../domain/time.js";
import {
  inRegularHours,
  regularBarCount,
  type Session,
  type TradingCalendar,
} from "./trading-calendar.js";
import {
  XNYS_CLOSE,
  XNYS_FIRST_YEAR,
  XNYS_LAST_YEAR,
  XNYS_OPEN,
  XNYS_POST_CLOSE,
  XNYS_PRE_OPEN,
  xnysYearRules,
} from "./xnys-rules.js";
import { ZoneOffsets } from "./zoned-time.js";

const DAY = 86_400_000;
const HOUR = 3_600_000;
/** After an early close, extended hours run four more hours (13:00 → 17:00), as they do on NYSE Arca. */
const EARLY_POST_CLOSE_HOURS = 4;

const FIRST_DAY = daysFromCivil(XNYS_FIRST_YEAR, 1, 1);
const LAST_DAY = daysFromCivil(XNYS_LAST_YEAR, 12, 31);
const RANGE = `${XNYS_FIRST_YEAR}-01-01..${XNYS_LAST_YEAR}-12-31`;

/** One year's sessions, indexed by day of the year; `undefined` on a closed day. */
interface YearTable {
  readonly firstDay: number;
  readonly sessions: ReadonlyArray<Session | undefined>;
}

/**
 * The New York Stock Exchange calendar, computed from the NYSE's rules (see `xnys-rules.ts`) in
 * the `America/New_York` zone. Each year's sessions are built on first use and kept, so every
 * look-up after the first of a year is a few arithmetic operations and an array read, and the
 * same frozen {@link Session} object is returned each time.
 */
class XnysCalendar implements TradingCalendar {
  readonly name = "XNYS";
  readonly timeZone = "America/New_York";
  readonly #zone = new ZoneOffsets(this.timeZone);
  readonly #years: (YearTable | undefined)[] = [];
  /** The table of the last look-up: consecutive calls mostly stay within one year. */
  #last: YearTable | undefined;

  /** The day number of `date`, refusing dates outside the supported range. */
  #day(date: string): number {
    const day = parseDay(date);
    if (day < FIRST_DAY || day > LAST_DAY) {
      throw new InvalidDateError(date, `is outside the XNYS calendar's supported range ${RANGE}`);
    }
    return day;
  }

  #table(day: number): YearTable {
    const last = this.#last;
    if (last !== undefined && day >= last.firstDay && day - last.firstDay < last.sessions.length) {
      return last;
    }
    const year = yearOfDay(day);
    const table = this.#years[year - XNYS_FIRST_YEAR] ?? this.#build(year);
    this.#last = table;
    return table;
  }

  #sessionOfDay(day: number): Session | undefined {
    const table = this.#table(day);
    return table.sessions[day - table.firstDay];
  }

  #build(year: number): YearTable {
    const { closed, earlyCloses } = xnysYearRules(year);
    const firstDay = daysFromCivil(year, 1, 1);
    const length = daysFromCivil(year + 1, 1, 1) - firstDay;
    const sessions: (Session | undefined)[] = new Array(length).fill(undefined);
    for (let i = 0; i < length; i++) {
      const day = firstDay + i;
      const wd = weekdayOfDay(day);
      if (wd === 0 || wd === 6 || closed.has(day)) continue;
      const closeAt = earlyCloses.get(day);
      const close = this.#zone.localToUtc(day, closeAt ?? XNYS_CLOSE);
      sessions[i] = Object.freeze({
        date: formatDay(day),
        open: this.#zone.localToUtc(day, XNYS_OPEN),
        close,
        preOpen: this.#zone.localToUtc(day, XNYS_PRE_OPEN),
        postClose:
          closeAt === undefined
            ? this.#zone.localToUtc(day, XNYS_POST_CLOSE)
            : close + EARLY_POST_CLOSE_HOURS * HOUR,
        earlyClose: closeAt !== undefined,
      });
    }
    const table: YearTable = { firstDay, sessions };
    this.#years[year - XNYS_FIRST_YEAR] = table;
    return table;
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

  /** The session whose `[preOpen, postClose)` holds `time`, if any. */
  #sessionAt(time: number): Session | undefined {
    if (!Number.isFinite(time)) return undefined;
    // The local date is the UTC date of `time` shifted by -5 h (EST) or -4 h (EDT). Rather than
    // ask which offset applies, try both candidate days: a session's [preOpen, postClose) lies
    // within its own local day, so at most one of them can contain `time`.
    const est = Math.floor((time - 5 * HOUR) / DAY);
    const edt = Math.floor((time - 4 * HOUR) / DAY);
    // A look-up, not a validation: an instant outside the supported range lies in no session
    // the calendar knows, so callers (the store) refuse such a bar as they refuse a weekend one.
    if (est < FIRST_DAY || edt > LAST_DAY) return undefined;
    let s = this.#sessionOfDay(est);
    if (s !== undefined && time >= s.preOpen && time < s.postClose) return s;
    if (edt === est) return undefined;
    s = this.#sessionOfDay(edt);
    return s !== undefined && time >= s.preOpen && time < s.postClose ? s : undefined;
  }

  nextSession(date: string): string {
    let day = this.#day(date) + 1;
    for (; day <= LAST_DAY; day++) {
      const s = this.#sessionOfDay(day);
      if (s !== undefined) return s.date;
    }
    throw new InvalidDateError(date, `has no next session within ${RANGE}`);
  }

  previousSession(date: string): string {
    let day = this.#day(date) - 1;
    for (; day >= FIRST_DAY; day--) {
      const s = this.#sessionOfDay(day);
      if (s !== undefined) return s.date;
    }
    throw new InvalidDateError(date, `has no previous session within ${RANGE}`);
  }

  sessionsBetween(from: string, to: string): string[] {
    const first = this.#day(from);
    const last = this.#day(to);
    const out: string[] = [];
    for (let day = first; day <= last; day++) {
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
 * The New York Stock Exchange (XNYS) calendar in `America/New_York`, from 1990 to 2199.
 *
 * Sessions open at 09:30 and close at 16:00 or at an early close (13:00; 14:00 on four days of
 * 1990-1992). Extended hours run from 04:00 to 20:00, or to four hours after an early close
 * (17:00 after a 13:00 close, as on NYSE Arca). Holidays follow the NYSE's rules with weekend
 * observance (New Year's Day on a Saturday is not observed), plus the one-off closures since
 * 1990. Dates outside 1990-01-01..2199-12-31 throw `InvalidDateError`.
 *
 * @example
 * xnysCalendar.isTradingDay("2024-03-29"); // false: Good Friday
 * xnysCalendar.session("2024-07-03")?.earlyClose; // true: 13:00 close
 * xnysCalendar.sessionDateOf(Date.UTC(2024, 6, 3, 8, 0)); // "2024-07-03" (04:00 EDT, pre-market)
 * xnysCalendar.expectedBarCount("2024-07-03"); // 210
 */
export const xnysCalendar: TradingCalendar = new XnysCalendar();
