import type { TradingCalendar } from "../calendar/trading-calendar.js";

/**
 * The current session as every symbol of one store sees it: shared by reference, so a session
 * change is one update here, and the write path reads plain numbers instead of asking the
 * calendar. Internal to the store.
 */
export class SessionContext {
  readonly calendar: TradingCalendar;
  /** The current session date, `undefined` before any bar. */
  date: string | undefined = undefined;
  // Before any session the bounds are an empty interval, so every time falls outside them and
  // the write path asks the calendar.
  open = Number.POSITIVE_INFINITY;
  close = Number.NEGATIVE_INFINITY;
  preOpen = Number.POSITIVE_INFINITY;
  postClose = Number.NEGATIVE_INFINITY;
  /**
   * The session's break `[breakStart, breakEnd)` (a lunch), outside the regular session; without
   * one both are +Infinity, an empty interval no time reaches, so the write path needs no branch.
   */
  breakStart = Number.POSITIVE_INFINITY;
  breakEnd = Number.POSITIVE_INFINITY;
  /** See `SessionData.clock`. */
  clock = Number.NaN;
  /** The `key` the next symbol handle of this store gets (see `SymbolSessionData.key`). */
  nextKey = 0;

  constructor(calendar: TradingCalendar) {
    this.calendar = calendar;
  }

  /** Whether `t` lies in the regular session: in `[open, close)`, outside the break. */
  isRegular(t: number): boolean {
    return t >= this.open && t < this.close && !(t >= this.breakStart && t < this.breakEnd);
  }

  /** 1-minute bars the session can hold at most (extended hours included): the column size. */
  get minutes(): number {
    return this.date === undefined ? 0 : Math.ceil((this.postClose - this.preOpen) / 60_000);
  }
}

// Internal entry points of SymbolSessionData, keyed by unexported symbols so they stay off the
// public surface (only SessionData writes through them, after validating).
/** @internal Stores a validated bar of the current session. */
export const WRITE: unique symbol = Symbol("write");
/** @internal Moves the current session into history. */
export const ROLL: unique symbol = Symbol("roll");
/** @internal Forgets history older than a date. */
export const DROP_HISTORY_BEFORE: unique symbol = Symbol("dropHistoryBefore");
/** @internal Sets upkeep's repair counters. */
export const SET_REPAIR: unique symbol = Symbol("setRepair");
/** @internal Empties a handle for good. */
export const DETACH: unique symbol = Symbol("detach");
