import { InvalidDateError } from "../domain/errors.js";
import { DAY_MS, formatDay, parseDay, utcDateOf, weekdayOfDay } from "../domain/time.js";
import {
  FIRST_DATE_DAY,
  LAST_DATE_DAY,
  regularBarCount,
  type Session,
  type TradingCalendar,
} from "./trading-calendar.js";

/**
 * A calendar whose sessions are whole UTC days, `[00:00, 24:00)`, on a fixed set of weekdays.
 * No extended hours and no early closes.
 */
class UtcDayCalendar implements TradingCalendar {
  readonly name: string;
  readonly timeZone = "UTC";
  /** Indexed by weekday, 0 = Sunday. */
  readonly #trades: readonly boolean[];

  constructor(name: string, weekdays: readonly number[]) {
    this.name = name;
    this.#trades = [0, 1, 2, 3, 4, 5, 6].map((d) => weekdays.includes(d));
  }

  #tradesOn(day: number): boolean {
    return this.#trades[weekdayOfDay(day)]!;
  }

  isTradingDay(date: string): boolean {
    return this.#tradesOn(parseDay(date));
  }

  session(date: string): Session | undefined {
    const day = parseDay(date);
    if (!this.#tradesOn(day)) return undefined;
    const open = day * DAY_MS;
    return {
      date,
      open,
      close: open + DAY_MS,
      preOpen: open,
      postClose: open + DAY_MS,
      earlyClose: false,
    };
  }

  sessionDateOf(time: number): string | undefined {
    if (!Number.isFinite(time)) return undefined;
    const day = Math.floor(time / DAY_MS);
    // Beyond four-digit years there is no YYYY-MM-DD date to name (and `Date` cannot format one).
    if (day < FIRST_DATE_DAY || day > LAST_DATE_DAY) return undefined;
    return this.#tradesOn(day) ? utcDateOf(time) : undefined;
  }

  /** Sessions are whole days without breaks: open whenever a session holds `time`. */
  isOpen(time: number): boolean {
    if (!Number.isFinite(time)) return false;
    const day = Math.floor(time / DAY_MS);
    return day >= FIRST_DATE_DAY && day <= LAST_DATE_DAY && this.#tradesOn(day);
  }

  nextSession(date: string): string {
    let day = parseDay(date) + 1;
    while (!this.#tradesOn(day)) day++;
    if (day > LAST_DATE_DAY)
      throw new InvalidDateError(date, "has no next session before year 10000");
    return formatDay(day);
  }

  previousSession(date: string): string {
    let day = parseDay(date) - 1;
    while (!this.#tradesOn(day)) day--;
    if (day < FIRST_DATE_DAY)
      throw new InvalidDateError(date, "has no previous session after year 100");
    return formatDay(day);
  }

  sessionsBetween(from: string, to: string): string[] {
    const first = parseDay(from);
    const last = parseDay(to);
    if (last - first > 200_000) throw new InvalidDateError(to, `is too far after ${from}`);
    const out: string[] = [];
    for (let day = first; day <= last; day++) if (this.#tradesOn(day)) out.push(formatDay(day));
    return out;
  }

  expectedBarCount(date: string, until?: number): number {
    return regularBarCount(this.session(date), until);
  }
}

/** Trades every minute of every day (crypto): sessions are UTC days. */
export const alwaysOpenCalendar: TradingCalendar = new UtcDayCalendar(
  "24/7",
  [0, 1, 2, 3, 4, 5, 6],
);

/** Trades every minute of UTC Monday to Friday, midnight to midnight; sessions are UTC days. For spot FX (17:00 New York rolls) use `fxCalendar` ("24/5"). */
export const weekdaysCalendar: TradingCalendar = new UtcDayCalendar("24/5-UTC", [1, 2, 3, 4, 5]);
