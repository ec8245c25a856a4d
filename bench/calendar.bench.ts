/**
 * `npm run bench -- calendar`: the XNYS calendar's memoised look-ups beside a naive computation
 * that asks `Intl.DateTimeFormat` and re-derives the year's rules on every call (what a calendar
 * without per-year tables does); then `expectedBarCount` (the expected minutes), `isOpen` and
 * `sessionDateOf` per call for each exchange calendar beside XNYS in the same run (goal: within
 * 2x of XNYS).
 */
import { Bench } from "tinybench";
import { cmeGlobexCalendar } from "../src/calendar/cme-globex.js";
import type { TradingCalendar } from "../src/calendar/trading-calendar.js";
import { xhkgCalendar } from "../src/calendar/xhkg.js";
import { xlonCalendar } from "../src/calendar/xlon.js";
import { xnysCalendar } from "../src/calendar/xnys.js";
import { xnysYearRules } from "../src/calendar/xnys-rules.js";
import { xtksCalendar } from "../src/calendar/xtks.js";
import { daysFromCivil, formatDay, parseDay, weekdayOfDay, yearOfDay } from "../src/domain/time.js";

const BATCH = 1000;
const DAY = 86_400_000;

const ny = new Intl.DateTimeFormat("en-US", {
  timeZone: "America/New_York",
  hourCycle: "h23",
  year: "numeric",
  month: "numeric",
  day: "numeric",
  hour: "numeric",
  minute: "numeric",
});

/** Local date and minutes of an instant in New York, one Intl call. */
function naiveLocal(time: number): { day: number; minutes: number } {
  const p: Record<string, number> = {};
  for (const part of ny.formatToParts(time)) p[part.type] = Number(part.value);
  return { day: daysFromCivil(p.year!, p.month!, p.day!), minutes: p.hour! * 60 + p.minute! };
}

/** The UTC instant of a New York wall-clock time, guessing EST and correcting with Intl. */
function naiveUtc(day: number, minutes: number): number {
  const guess = day * DAY + (minutes + 300) * 60_000;
  const local = naiveLocal(guess);
  return guess - ((local.day - day) * 1440 + local.minutes - minutes) * 60_000;
}

function naiveSession(date: string) {
  const day = parseDay(date);
  const wd = weekdayOfDay(day);
  if (wd === 0 || wd === 6) return undefined;
  const rules = xnysYearRules(yearOfDay(day));
  if (rules.closed.has(day)) return undefined;
  const closeAt = rules.earlyCloses.get(day);
  return {
    date,
    open: naiveUtc(day, 570),
    close: naiveUtc(day, closeAt ?? 960),
    preOpen: naiveUtc(day, 240),
    postClose: naiveUtc(day, closeAt === undefined ? 1200 : closeAt + 240),
    earlyClose: closeAt !== undefined,
  };
}

function naiveSessionDateOf(time: number): string | undefined {
  const { day } = naiveLocal(time);
  const s = naiveSession(formatDay(day));
  return s !== undefined && time >= s.preOpen && time < s.postClose ? s.date : undefined;
}

export async function run(): Promise<void> {
  // Inputs: a year of minutes across the day and a year of dates, so look-ups hit varied days.
  const times: number[] = [];
  const dates: string[] = [];
  for (let i = 0; i < BATCH; i++) {
    times.push(Date.UTC(2024, 0, 1) + Math.floor((i * 366 * 1440) / BATCH) * 60_000);
    dates.push(formatDay(daysFromCivil(2024, 1, 1) + Math.floor((i * 366) / BATCH)));
  }
  // Same answers first, so the baseline is a fair one.
  for (let i = 0; i < BATCH; i++) {
    if (naiveSessionDateOf(times[i]!) !== xnysCalendar.sessionDateOf(times[i]!)) {
      throw new Error(`baseline disagrees at ${new Date(times[i]!).toISOString()}`);
    }
  }
  let sink = 0;
  const bench = new Bench({ time: 400, warmup: true });
  bench
    .add("sessionDateOf (xnysCalendar)", () => {
      for (let i = 0; i < BATCH; i++) sink += xnysCalendar.sessionDateOf(times[i]!)?.length ?? 0;
    })
    .add("sessionDateOf (naive Intl per call)", () => {
      for (let i = 0; i < BATCH; i += 10) sink += naiveSessionDateOf(times[i]!)?.length ?? 0;
    })
    .add("session (xnysCalendar)", () => {
      for (let i = 0; i < BATCH; i++) sink += xnysCalendar.session(dates[i]!)?.open ?? 0;
    })
    .add("session (naive Intl per call)", () => {
      for (let i = 0; i < BATCH; i += 10) sink += naiveSession(dates[i]!)?.open ?? 0;
    })
    .add("isTradingDay (xnysCalendar)", () => {
      for (let i = 0; i < BATCH; i++) sink += xnysCalendar.isTradingDay(dates[i]!) ? 1 : 0;
    })
    .add("nextSession (xnysCalendar)", () => {
      for (let i = 0; i < BATCH; i++) sink += xnysCalendar.nextSession(dates[i]!).length;
    });
  await bench.run();
  const rows = bench.tasks.map((task) => {
    const perBatch = task.name.includes("naive") ? BATCH / 10 : BATCH;
    const result = task.result as { latency?: { p50: number } } | undefined;
    const ns = result?.latency === undefined ? Number.NaN : (result.latency.p50 * 1e6) / perBatch;
    return { operation: task.name, "median ns/op": Number(ns.toFixed(1)) };
  });
  console.table(rows);
  if (sink === 0) console.log("(sink)");
  await runPerCalendar(times, dates);
}

const EXCHANGES: readonly TradingCalendar[] = [
  xnysCalendar,
  xlonCalendar,
  xtksCalendar,
  xhkgCalendar,
  cmeGlobexCalendar,
];

/** ns per call of the three look-ups for every exchange calendar, and each one's ratio to XNYS. */
async function runPerCalendar(times: readonly number[], dates: readonly string[]): Promise<void> {
  let sink = 0;
  // Warm every year table first: the figures are per call, not the first call of a year.
  for (const c of EXCHANGES) for (const d of dates) sink += c.expectedBarCount(d);
  const bench = new Bench({ time: 300, warmup: true });
  for (const c of EXCHANGES) {
    bench
      .add(`${c.name} expectedBarCount`, () => {
        for (let i = 0; i < BATCH; i++) sink += c.expectedBarCount(dates[i]!);
      })
      .add(`${c.name} isOpen`, () => {
        for (let i = 0; i < BATCH; i++) sink += c.isOpen(times[i]!) ? 1 : 0;
      })
      .add(`${c.name} sessionDateOf`, () => {
        for (let i = 0; i < BATCH; i++) sink += c.sessionDateOf(times[i]!)?.length ?? 0;
      });
  }
  await bench.run();
  const ns = new Map<string, number>();
  for (const task of bench.tasks) {
    const result = task.result as { latency?: { p50: number } } | undefined;
    ns.set(
      task.name,
      result?.latency === undefined ? Number.NaN : (result.latency.p50 * 1e6) / BATCH,
    );
  }
  const rows = EXCHANGES.map((c) => {
    const row: Record<string, string | number> = { calendar: c.name };
    for (const op of ["expectedBarCount", "isOpen", "sessionDateOf"]) {
      const mine = ns.get(`${c.name} ${op}`)!;
      const base = ns.get(`XNYS ${op}`)!;
      row[`${op} ns`] = Number(mine.toFixed(1));
      row[`${op} ÷ XNYS`] = Number((mine / base).toFixed(2));
    }
    return row;
  });
  console.table(rows);
  if (sink === 0) console.log("(sink)");
}
