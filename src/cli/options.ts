import type { TradingCalendar } from "../calendar/public.js";
import {
  calendarByName as calendarByNameStrict,
  calendarNames,
  findCalendar,
  xnysCalendar,
} from "../calendar/public.js";
import { InvalidArgumentError, InvalidDateError } from "../domain/errors.js";
import { isDateString } from "../domain/time.js";
import { defaultDbPath } from "../history/public.js";

/** The database a command opens: `--db`, else `SESSIONDATA_DB`, else `./sessiondata.duckdb`. */
export function resolveDbPath(db: string | undefined): string {
  return db !== undefined && db.trim() !== "" ? db : defaultDbPath();
}

/** The calendars `--calendar` names, for help texts. */
export const CALENDAR_NAMES: Readonly<Record<string, TradingCalendar>> = Object.fromEntries(
  calendarNames().map((name) => [name, findCalendar(name)!]),
);

/** The calendar named by `--calendar` (default XNYS), case-insensitive. */
export function calendarByName(name: string | undefined): TradingCalendar {
  return name === undefined ? xnysCalendar : calendarByNameStrict(name);
}

/** A flag's number, or `undefined` when absent; refuses anything that is not a finite number. */
export function numberOption(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n)) {
    throw new InvalidArgumentError(`${flag} must be a number, got ${JSON.stringify(value)}`);
  }
  return n;
}

/**
 * A comma-separated flag as a list (blanks dropped), or `undefined` when absent; refuses an
 * empty list (naming `flag` when given).
 */
export function listOption(value: string | undefined, flag?: string): string[] | undefined {
  if (value === undefined) return undefined;
  const items = value
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (items.length === 0) {
    const what = `empty list ${JSON.stringify(value)}`;
    throw new InvalidArgumentError(flag === undefined ? what : `${flag}: ${what}`);
  }
  return items;
}

/**
 * A comma-separated list of symbols (`--symbols`), upper-cased and without repeats: symbols are
 * case-insensitive on input and stored upper case. `undefined` when the flag is absent.
 */
export function symbolsOption(value: string | undefined, flag = "--symbols"): string[] | undefined {
  const items = listOption(value, flag);
  return items === undefined ? undefined : [...new Set(items.map((s) => s.toUpperCase()))];
}

/** `--symbols`' help text, one wording for every command. */
export const SYMBOLS_HELP =
  "comma-separated symbols, any case (stored upper case; default: every stored symbol)";

/** Refuses a date flag that is not a real `YYYY-MM-DD` date, naming the flag. */
export function checkDateOption(flag: string, value: string | undefined): void {
  if (value !== undefined && !isDateString(value)) {
    throw new InvalidDateError(value, `(${flag}) is not a valid YYYY-MM-DD date`);
  }
}
