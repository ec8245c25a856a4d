// Test helpers: exchange_calendars' answer files (`,open,close,break_start,break_end` in UTC,
// one row per session) read and compared with a calendar, session by session.
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { DAY_MS, formatDay, parseDay, weekdayOfDay } from "../domain/time.js";
import type { TradingCalendar } from "./trading-calendar.js";

/** One session of an answer file (instants in epoch ms; no break: `NaN`). */
export interface AnswerRow {
  readonly date: string;
  readonly open: number;
  readonly close: number;
  readonly breakStart: number;
  readonly breakEnd: number;
}

/** The path of `../shared/data/calendars/<name>`, and whether it is there. */
export function answerFile(name: string): { path: string; present: boolean } {
  const path = fileURLToPath(new URL(`../../../shared/data/calendars/${name}`, import.meta.url));
  const present = existsSync(path);
  if (!present) {
    console.warn(
      `skipping the ${name} answer-file tests: ${path} is absent (put the shared data next to the worktree to run them)`,
    );
  }
  return { path, present };
}

/** The rows of an answer file, by date, in file order. */
export function readAnswerFile(path: string): Map<string, AnswerRow> {
  const out = new Map<string, AnswerRow>();
  const lines = readFileSync(path, "utf8").trim().split("\n").slice(1);
  for (const line of lines) {
    const [date, open, close, breakStart, breakEnd] = line.split(",");
    out.set(date!.slice(0, 10), {
      date: date!.slice(0, 10),
      open: Date.parse(open!),
      close: Date.parse(close!),
      breakStart: breakStart ? Date.parse(breakStart) : Number.NaN,
      breakEnd: breakEnd ? Date.parse(breakEnd) : Number.NaN,
    });
  }
  return out;
}

const iso = (t: number | undefined) =>
  t === undefined || Number.isNaN(t) ? "-" : new Date(t).toISOString().slice(0, 16);

/**
 * Every disagreement between `calendar` and the file over the file's span, as readable lines:
 * a session the calendar lacks or has in excess, and (when `hours`) a differing open, close or
 * break. Empty when they agree on everything.
 */
export function answerFileMismatches(
  calendar: TradingCalendar,
  rows: ReadonlyMap<string, AnswerRow>,
  options: { hours: boolean } = { hours: true },
): string[] {
  const dates = [...rows.keys()];
  const first = parseDay(dates[0]!);
  const last = parseDay(dates[dates.length - 1]!);
  const wrong: string[] = [];
  for (let day = first; day <= last; day++) {
    const date = formatDay(day);
    const row = rows.get(date);
    const s = calendar.session(date);
    if (row === undefined) {
      if (s !== undefined) wrong.push(`${date}: a session the file does not have`);
      continue;
    }
    if (s === undefined) {
      const wd = weekdayOfDay(day);
      wrong.push(`${date} (${"SMTWTFS"[wd]}): no session, the file has one`);
      continue;
    }
    if (!options.hours) continue;
    const got = [s.open, s.close, s.breakStart ?? Number.NaN, s.breakEnd ?? Number.NaN];
    const want = [row.open, row.close, row.breakStart, row.breakEnd];
    if (got.some((g, i) => !(g === want[i] || (Number.isNaN(g) && Number.isNaN(want[i]!))))) {
      wrong.push(`${date}: got ${got.map(iso).join(" ")}, file ${want.map(iso).join(" ")}`);
    }
  }
  return wrong;
}

/** The Monday-to-Friday dates of `[from, to]`. */
export function weekdaysBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let day = parseDay(from); day <= parseDay(to); day++) {
    const wd = weekdayOfDay(day);
    if (wd !== 0 && wd !== 6) out.push(formatDay(day));
  }
  return out;
}

/** Local wall-clock time of an instant in `timeZone`, `YYYY-MM-DD HH:MM`, the slow way. */
export function wallClock(timeZone: string): (time: number) => string {
  const format = new Intl.DateTimeFormat("en-CA", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
  });
  return (time) => format.format(time).replace(",", "");
}

export { DAY_MS };
