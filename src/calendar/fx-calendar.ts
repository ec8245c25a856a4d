import { InvalidDateError } from "../domain/errors.js";
import { DAY_MS, formatDay, parseDay, weekdayOfDay } from "../domain/time.js";
import {
  FIRST_DATE_DAY,
  LAST_DATE_DAY,
  regularBarCount,
  type Session,
  type TradingCalendar,
} from "./trading-calendar.js";
import { ZoneOffsets } from "./zoned-time.js";

/** FX rolls its trading day at 17:00 New York time. */
const ROLL_MINUTES = 17 * 60;

const isWeekday = (day: number): boolean => {
  const wd = weekdayOfDay(day);
  return wd >= 1 && wd <= 5;
};

/**
 * The spot-FX week as dealers keep it: 24 hours a day from Sunday 17:00 to Friday 17:00
 * New York time, one session per trading day. Session `D` (Monday to Friday) runs from 17:00
 * New York on the day before `D` to 17:00 New York on `D`: Monday's session opens on Sunday
 * evening. In UTC that is 22:00 → 22:00 in northern winter and 21:00 → 21:00 in summer.
 * No holidays, no early closes, no extended hours.
 *
 * This matches `gbpusd-m1-bid-2012.csv` (FXCM, February 2012, winter time): its weekend breaks
 * run from Friday 21:59 (the last bar) to Sunday 22:00 UTC.
 */
class FxCalendar implements TradingCalendar {
  readonly name = "24/5";
  readonly timeZone = "America/New_York";
  readonly #zone = new ZoneOffsets("America/New_York");

  isTradingDay(date: string): boolean {
    return isWeekday(parseDay(date));
  }

  session(date: string): Session | undefined {
    const day = parseDay(date);
    return isWeekday(day) ? this.#sessionOfDay(day, date) : undefined;
  }

  #sessionOfDay(day: number, date: string): Session {
    const open = this.#zone.localToUtc(day - 1, ROLL_MINUTES);
    const close = this.#zone.localToUtc(day, ROLL_MINUTES);
    return { date, open, close, preOpen: open, postClose: close, earlyClose: false };
  }

  sessionDateOf(time: number): string | undefined {
    const day = this.#dayOf(time);
    return day === undefined ? undefined : formatDay(day);
  }

  /** No extended hours, no breaks: open whenever a session holds `time`. */
  isOpen(time: number): boolean {
    return this.#dayOf(time) !== undefined;
  }

  /** The day number of the session holding `time`, if any. */
  #dayOf(time: number): number | undefined {
    if (!Number.isFinite(time)) return undefined;
    // A session ends between 21:00 and 22:00 UTC of its own date, so an instant belongs to the
    // session of its UTC date or of the next one.
    const day = Math.floor(time / DAY_MS);
    // Beyond four-digit years there is no YYYY-MM-DD date to name (and `Date` cannot format one).
    if (day < FIRST_DATE_DAY || day >= LAST_DATE_DAY) return undefined;
    for (const d of [day, day + 1]) {
      if (!isWeekday(d)) continue;
      const s = this.#sessionOfDay(d, "");
      if (time >= s.open && time < s.close) return d;
    }
    return undefined;
  }

  nextSession(date: string): string {
    let day = parseDay(date) + 1;
    while (!isWeekday(day)) day++;
    if (day > LAST_DATE_DAY)
      throw new InvalidDateError(date, "has no next session before year 10000");
    return formatDay(day);
  }

  previousSession(date: string): string {
    let day = parseDay(date) - 1;
    while (!isWeekday(day)) day--;
    if (day < FIRST_DATE_DAY)
      throw new InvalidDateError(date, "has no previous session after year 100");
    return formatDay(day);
  }

  sessionsBetween(from: string, to: string): string[] {
    const first = parseDay(from);
    const last = parseDay(to);
    if (last - first > 200_000) throw new InvalidDateError(to, `is too far after ${from}`);
    const out: string[] = [];
    for (let d = first; d <= last; d++) if (isWeekday(d)) out.push(formatDay(d));
    return out;
  }

  expectedBarCount(date: string, until?: number): number {
    return regularBarCount(this.session(date), until);
  }
}

/**
 * The spot-FX calendar (24/5, sessions rolling at 17:00 New York); see {@link FxCalendar}.
 * Upkeep's real-gap test checks it against FXCM GBP/USD minute bars.
 *
 * @example
 * ```ts
 * fxCalendar.session("2012-02-06"); // open 2012-02-05T22:00Z (Sunday), close 2012-02-06T22:00Z
 * ```
 */
export const fxCalendar: TradingCalendar = new FxCalendar();
