import type { TradingCalendar } from "../calendar/trading-calendar.js";

/** Options of `SessionData`. */
export interface SessionDataOptions {
  /** The exchange calendar that says what a session is. Default: the XNYS calendar. */
  readonly calendar?: TradingCalendar;
  /** Prior sessions kept for `getHistoricalBars` and `getSessionMetrics(symbol, date)`. Default 5. */
  readonly historySessions?: number;
}

/** What `SessionData.addBars` did: counts, and the reason for every refused bar. */
export interface AddBarsResult {
  readonly accepted: number;
  readonly rejected: number;
  /** One entry per refused bar: its index in the input and the error it raised. */
  readonly errors: { readonly index: number; readonly error: Error }[];
}
