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
}

/**
 * The port every exchange calendar implements: which dates are sessions and when they trade.
 * Dates are `YYYY-MM-DD` strings in the calendar's time zone; instants are UTC epoch ms.
 * Malformed dates throw `InvalidDateError`.
 */
export interface TradingCalendar {
  /** Short name, e.g. `XNYS`, `24/7`, `24/5`. */
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
  /** The first session strictly after `date` (which need not be a session itself). */
  nextSession(date: string): string;
  /** The last session strictly before `date` (which need not be a session itself). */
  previousSession(date: string): string;
  /** Every session date from `from` to `to`, both inclusive, in order (empty if `from > to`). */
  sessionsBetween(from: string, to: string): string[];
  /**
   * The number of 1-minute bars the regular session of `date` holds: minutes whose bar opens in
   * `[open, close)`, or in `[open, min(close, until))` when `until` (epoch ms) is given. 0 for a
   * day without a session.
   */
  expectedBarCount(date: string, until?: number): number;
}

/** Day numbers (days since 1970-01-01) of 0100-01-01 and 9999-12-31: the dates a `YYYY-MM-DD` string can name and `Date` formats as one. */
export const FIRST_DATE_DAY = Date.UTC(100, 0, 1) / 86_400_000;
export const LAST_DATE_DAY = Date.UTC(9999, 11, 31) / 86_400_000;

/**
 * What every calendar's `expectedBarCount` counts: 1-minute bars opening in
 * `[open, min(close, until))`, 0 without a session. A NaN `until` (a broken clock upstream) is
 * refused rather than turned into a NaN count that would poison the quality figures.
 */
export function regularBarCount(session: Session | undefined, until: number | undefined): number {
  if (until !== undefined && Number.isNaN(until)) {
    throw new InvalidArgumentError("expectedBarCount: until is NaN, not an epoch-ms instant");
  }
  if (session === undefined) return 0;
  const end = until === undefined ? session.close : Math.min(session.close, until);
  return end <= session.open ? 0 : Math.ceil((end - session.open) / MINUTE_MS);
}
