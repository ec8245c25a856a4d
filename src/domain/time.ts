import { InvalidDateError } from "./errors.js";

/** One day in milliseconds. */
export const DAY_MS = 86_400_000;

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * Parses a `YYYY-MM-DD` string into its day number (days since 1970-01-01), throwing
 * {@link InvalidDateError} for anything else, including impossible dates such as 2023-02-30.
 */
export function dayNumber(date: string): number {
  const m = typeof date === "string" ? DATE_RE.exec(date) : null;
  if (m === null) throw new InvalidDateError(date);
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  const ms = Date.UTC(y, mo - 1, d);
  const check = new Date(ms);
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) {
    throw new InvalidDateError(date);
  }
  return ms / DAY_MS;
}

/** Whether a value is a well-formed, real `YYYY-MM-DD` date. */
export function isDateString(value: unknown): value is string {
  if (typeof value !== "string") return false;
  try {
    dayNumber(value);
    return true;
  } catch {
    return false;
  }
}

/** The `YYYY-MM-DD` string of a day number (days since 1970-01-01). */
export function dateOfDayNumber(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** The UTC `YYYY-MM-DD` date of an instant. */
export function utcDateOf(time: number): string {
  return new Date(time).toISOString().slice(0, 10);
}

/** Adds whole days to a `YYYY-MM-DD` date. */
export function addDays(date: string, days: number): string {
  return dateOfDayNumber(dayNumber(date) + days);
}

/** Day of the week of a `YYYY-MM-DD` date: 0 = Sunday … 6 = Saturday. */
export function weekdayOf(date: string): number {
  return (((dayNumber(date) + 4) % 7) + 7) % 7;
}

/** An instant as ISO 8601 UTC, minute precision when the seconds are zero (for messages). */
export function formatTime(time: number): string {
  return new Date(time).toISOString();
}
