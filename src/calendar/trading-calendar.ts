import { MINUTE_MS } from "../domain/bar.js";
import { InvalidArgumentError } from "../domain/errors.js";

/**
 * One trading session of a calendar. Instants are UTC epoch milliseconds.
 *
 * The regular session is `[open, close)`: the first 1-minute bar opens at `open`, the last one
 * opens at `close - 60_000`. Extended hours are `[preOpen, open)` and `[close, postClose)`; a
 * calendar without extended hours has `preOpen === open` and `postClose === close`.
 */
export interface Session {
  /** The session date, `YYYY-MM-DD` in the calendar's time zone. */
  readonly date: string;
  readonly open: number;
  readonly close: number;
  readonly preOpen: number;
  readonly postClose: number;
  /** Whether the session closes before its calendar's normal close (e.g. 13:00 on XNYS). */
  readonly earlyClose: boolean;
  /** Start of the session's break (UTC ms), when it has one; `breakEnd` is then set too. */
  readonly breakStart?: number;
  /** End of the break: the instant trading resumes. */
  readonly breakEnd?: number;
}

/**
 * The port every exchange calendar implements: which dates are sessions and when they trade.
 * Dates are `YYYY-MM-DD` strings in the calendar's time zone; instants are UTC epoch ms.
 * Malformed dates throw `InvalidDateError`.
 */
export interface TradingCalendar {
  /** Short name, e.g. `XNYS`, `24/7`, `24/5` (what `calendarByName` and the `symbols` table use). */
  readonly name: string;
  /** The IANA time zone its dates are reckoned in. */
  readonly timeZone: string;
  /** Whether `date` is a trading session. */
  isTradingDay(date: string): boolean;
  /** The session on `date`, or `undefined` when the market is closed that day. */
  session(date: string): Session | undefined;
  /**
   * The date of the session whose extended hours `[preOpen, postClose)` contain `time`, or
   * `undefined` when no session covers it (a weekend, a holiday, overnight on XNYS).
   */
  sessionDateOf(time: number): string | undefined;
  /**
   * Whether the regular session trades at `time` (epoch ms): inside some session's
   * `[open, close)` and outside its break. Extended hours, breaks and closed days are not open.
   */
  isOpen(time: number): boolean;
  /** The first session strictly after `date` (which need not be a session itself). */
  nextSession(date: string): string;
  /** The last session strictly before `date` (which need not be a session itself). */
  previousSession(date: string): string;
  /** Every session date from `from` to `to`, both inclusive, in order (empty if `from > to`). */
  sessionsBetween(from: string, to: string): string[];
  /**
   * The number of 1-minute bars the regular session of `date` holds: minutes whose bar opens in
   * `[open, close)`, or in `[open, min(close, until))` when `until` (epoch ms) is given, the
   * minutes of a break excepted. 0 for a day without a session.
   */
  expectedBarCount(date: string, until?: number): number;
}

/** Day numbers (days since 1970-01-01) of 0100-01-01 and 9999-12-31: the dates a `YYYY-MM-DD` string can name and `Date` formats as one. */
export const FIRST_DATE_DAY = Date.UTC(100, 0, 1) / 86_400_000;
export const LAST_DATE_DAY = Date.UTC(9999, 11, 31) / 86_400_000;

/**
 * What every calendar's `expectedBarCount` counts: 1-minute bars opening in
 * `[open, min(close, until))` outside `[breakStart, breakEnd)`, 0 without a session. A NaN `until` (a broken clock upstream) is
 * refused rather than turned into a NaN count that would poison the quality figures.
 */
export function regularBarCount(session: Session | undefined, until: number | undefined): number {
  if (until !== undefined && Number.isNaN(until)) {
    throw new InvalidArgumentError("expectedBarCount: until is NaN, not an epoch-ms instant");
  }
  if (session === undefined) return 0;
  const end = until === undefined ? session.close : Math.min(session.close, until);
  const all = minutesBetween(session.open, end);
  const { breakStart, breakEnd } = session;
  if (breakStart === undefined || breakEnd === undefined) return all;
  return all - (minutesBetween(breakStart, end) - minutesBetween(breakEnd, end));
}

/** 1-minute bars opening in `[from, to)` when `from` is on a minute: 0 for an empty range. */
function minutesBetween(from: number, to: number): number {
  return to <= from ? 0 : Math.ceil((to - from) / MINUTE_MS);
}

/**
 * Whether `time` lies in the regular hours of `session`: in `[open, close)`, outside the break.
 * What every calendar's `isOpen` answers once it has found the session of `time`.
 */
export function inRegularHours(session: Session | undefined, time: number): boolean {
  return (
    session !== undefined && time >= session.open && time < session.close && !inBreak(session, time)
  );
}

/** Whether `time` lies in the session's break (always false for a session without one). */
export function inBreak(session: Session, time: number): boolean {
  const { breakStart, breakEnd } = session;
  return (
    breakStart !== undefined && breakEnd !== undefined && time >= breakStart && time < breakEnd
  );
}
