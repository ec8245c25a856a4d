import { InvalidArgumentError } from "../domain/errors.js";
import { cmeGlobexCalendar } from "./cme-globex.js";
import { fxCalendar } from "./fx-calendar.js";
import type { TradingCalendar } from "./trading-calendar.js";
import { alwaysOpenCalendar, weekdaysCalendar } from "./utc-day-calendar.js";
import { xhkgCalendar } from "./xhkg.js";
import { xlonCalendar } from "./xlon.js";
import { xnysCalendar } from "./xnys.js";
import { xtksCalendar } from "./xtks.js";

/**
 * Every built-in calendar, in the order `sessiondata calendars` lists them. Each is found by its
 * `name` (a MIC for an exchange) and by its aliases, case-insensitively.
 */
export const CALENDARS: readonly TradingCalendar[] = Object.freeze([
  xnysCalendar,
  xlonCalendar,
  xtksCalendar,
  xhkgCalendar,
  cmeGlobexCalendar,
  alwaysOpenCalendar,
  fxCalendar,
  weekdaysCalendar,
]);

/** Other names a calendar answers to (lower case), e.g. `cme` for `GLBX`. */
const ALIASES: Readonly<Record<string, string>> = {
  nyse: "XNYS",
  cme: "GLBX",
  lse: "XLON",
  tse: "XTKS",
  jpx: "XTKS",
  hkex: "XHKG",
  crypto: "24/7",
  fx: "24/5",
  forex: "24/5",
};

const BY_NAME = new Map<string, TradingCalendar>();
for (const calendar of CALENDARS) BY_NAME.set(calendar.name.toLowerCase(), calendar);
for (const [alias, name] of Object.entries(ALIASES)) {
  const target = BY_NAME.get(name.toLowerCase());
  if (target !== undefined) BY_NAME.set(alias, target);
}

/** The names `calendarByName` accepts, canonical names first (for help texts and errors). */
export function calendarNames(): string[] {
  return CALENDARS.map((c) => c.name);
}

/**
 * The built-in calendar called `name` (case-insensitive, aliases included), or `undefined`.
 */
export function findCalendar(name: string): TradingCalendar | undefined {
  return typeof name === "string" ? BY_NAME.get(name.trim().toLowerCase()) : undefined;
}

/**
 * The built-in calendar called `name` (case-insensitive: `XNYS`, `xnys`, `24/7`, …); throws
 * `InvalidArgumentError` listing the names for any other.
 *
 * @example
 * ```ts
 * calendarByName("xnys") === xnysCalendar; // true
 * ```
 */
export function calendarByName(name: string): TradingCalendar {
  const calendar = findCalendar(name);
  if (calendar === undefined) {
    throw new InvalidArgumentError(
      `unknown calendar ${JSON.stringify(name)}: use one of ${calendarNames().join(", ")}`,
    );
  }
  return calendar;
}
