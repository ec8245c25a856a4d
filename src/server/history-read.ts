/**
 * Reads of the bar store behind the dashboard's history routes: a symbol's regular-session bars
 * of some sessions at any timeframe (1m .. 1D), the day's gaps and provenance, and quality cells
 * (symbols x sessions) for the heatmap. Per-request arrays are fine here: these run once per
 * HTTP request, never per bar of a replay.
 */
import type { Session, TradingCalendar } from "../calendar/trading-calendar.js";
import { type Bar, MINUTE_MS } from "../domain/bar.js";
import { PROVENANCES, provenanceOfCode } from "../domain/provenance.js";
import { qualityPercent } from "../domain/quality.js";
import type { BarStore, TimeRange } from "../history/bar-store.js";

/** The chart timeframes of the history routes: the store's intraday ones plus daily bars. */
export const CHART_TIMEFRAMES = ["1m", "5m", "15m", "30m", "1h", "1D"] as const;

/** One of {@link CHART_TIMEFRAMES}. */
export type ChartTimeframe = (typeof CHART_TIMEFRAMES)[number];

const WIDTH_MINUTES: Readonly<Record<Exclude<ChartTimeframe, "1D">, number>> = {
  "1m": 1,
  "5m": 5,
  "15m": 15,
  "30m": 30,
  "1h": 60,
};

/** Regular-session minutes of a session (a break excluded). */
export function sessionMinutes(s: Session): number {
  const brk =
    s.breakStart !== undefined && s.breakEnd !== undefined ? s.breakEnd - s.breakStart : 0;
  return (s.close - s.open - brk) / MINUTE_MS;
}

/** How many bars `sessions` give at `tf` at most (for the request bound, before any read). */
export function barsUpperBound(sessions: readonly Session[], tf: ChartTimeframe): number {
  if (tf === "1D") return sessions.length;
  const w = WIDTH_MINUTES[tf];
  let n = 0;
  for (const s of sessions) n += Math.ceil(sessionMinutes(s) / w) + 1;
  return n;
}

function inRegular(s: Session, t: number): boolean {
  if (t < s.open || t >= s.close) return false;
  return !(
    s.breakStart !== undefined &&
    s.breakEnd !== undefined &&
    t >= s.breakStart &&
    t < s.breakEnd
  );
}

/** A symbol's regular-session 1m bars of `sessions`, with each bar's provenance code. */
export async function readSessionsBars(
  store: BarStore,
  symbol: string,
  sessions: readonly Session[],
): Promise<{ bars: Bar[]; provenance: number[] }> {
  const bars: Bar[] = [];
  const provenance: number[] = [];
  if (sessions.length === 0) return { bars, provenance };
  let k = 0;
  const from = sessions[0]!.open;
  const to = sessions.at(-1)!.close;
  for await (const c of store.scan({ symbols: [symbol], from, to })) {
    for (let i = 0; i < c.length; i++) {
      const t = c.time[i]!;
      while (k < sessions.length && t >= sessions[k]!.close) k++;
      if (k === sessions.length) break;
      if (!inRegular(sessions[k]!, t)) continue;
      bars.push({
        time: t,
        open: c.open[i]!,
        high: c.high[i]!,
        low: c.low[i]!,
        close: c.close[i]!,
        volume: c.volume[i]!,
      });
      provenance.push(c.provenance[i]!);
    }
  }
  return { bars, provenance };
}

/**
 * Aggregates regular-session 1m bars (time order) to `tf`: buckets aligned to the session open
 * and, after a break, to the reopen; cut at the close; `1D` is one bar per session, timed at its
 * open. The same rule as the store's derived timeframes.
 */
export function aggregate(
  bars: readonly Bar[],
  sessions: readonly Session[],
  tf: ChartTimeframe,
): Bar[] {
  if (tf === "1m") return bars.slice();
  const out: Bar[] = [];
  let k = 0;
  let key = Number.NaN;
  let cur:
    | { time: number; open: number; high: number; low: number; close: number; volume: number }
    | undefined;
  for (const b of bars) {
    while (k < sessions.length && b.time >= sessions[k]!.close) k++;
    const s = sessions[k];
    if (s === undefined) break;
    let start: number;
    if (tf === "1D") start = s.open;
    else {
      const width = WIDTH_MINUTES[tf] * MINUTE_MS;
      const anchor = s.breakEnd !== undefined && b.time >= s.breakEnd ? s.breakEnd : s.open;
      start = anchor + Math.floor((b.time - anchor) / width) * width;
    }
    if (cur !== undefined && start === key) {
      if (b.high > cur.high) cur.high = b.high;
      if (b.low < cur.low) cur.low = b.low;
      cur.close = b.close;
      cur.volume += b.volume;
      continue;
    }
    if (cur !== undefined) out.push(cur);
    key = start;
    cur = { time: start, open: b.open, high: b.high, low: b.low, close: b.close, volume: b.volume };
  }
  if (cur !== undefined) out.push(cur);
  return out;
}

/** A missing range of minutes, `start` inclusive, `end` exclusive (the pinned Gap shape). */
export interface DayGap {
  readonly symbol: string;
  readonly start: number;
  readonly end: number;
  readonly count: number;
}

/** One day of one symbol as the store holds it: completeness, gaps, provenance. */
export interface DayReport {
  readonly symbol: string;
  readonly date: string;
  readonly calendar: string;
  readonly timeZone: string;
  readonly open: number;
  readonly close: number;
  readonly earlyClose: boolean;
  readonly expected: number;
  readonly present: number;
  /** present / expected x 100. */
  readonly quality: number;
  readonly provenance: Readonly<Record<string, number>>;
  /**
   * Times of the bars that are not plain replay/live bars: refilled and corrected; and `late`,
   * the minutes the live session reported late (their bar came after its minute closed, or has
   * not come: then the minute is also a gap).
   */
  readonly marked: {
    readonly refilled: readonly number[];
    readonly corrected: readonly number[];
    readonly late: readonly number[];
  };
  readonly gaps: readonly DayGap[];
}

/** The gaps of a session: the expected regular minutes no bar covers, as ranges. */
export function gapsOf(symbol: string, s: Session, times: readonly number[]): DayGap[] {
  const gaps: DayGap[] = [];
  let i = 0;
  let start = Number.NaN;
  for (let t = s.open; t < s.close; t += MINUTE_MS) {
    if (!inRegular(s, t)) {
      if (!Number.isNaN(start)) {
        gaps.push({ symbol, start, end: t, count: (t - start) / MINUTE_MS });
        start = Number.NaN;
      }
      continue;
    }
    while (i < times.length && times[i]! < t) i++;
    const present = i < times.length && times[i] === t;
    if (!present && Number.isNaN(start)) start = t;
    if (present && !Number.isNaN(start)) {
      gaps.push({ symbol, start, end: t, count: (t - start) / MINUTE_MS });
      start = Number.NaN;
    }
  }
  if (!Number.isNaN(start)) {
    gaps.push({ symbol, start, end: s.close, count: (s.close - start) / MINUTE_MS });
  }
  return gaps;
}

/** The {@link DayReport} of `symbol` on session `s`; `late`: the live session's late minutes. */
export async function dayReport(
  store: BarStore,
  symbol: string,
  calendar: TradingCalendar,
  s: Session,
  late: readonly number[] = [],
): Promise<DayReport> {
  const { bars, provenance } = await readSessionsBars(store, symbol, [s]);
  const counts: Record<string, number> = {};
  for (const p of PROVENANCES) counts[p] = 0;
  const refilled: number[] = [];
  const corrected: number[] = [];
  for (let i = 0; i < bars.length; i++) {
    const p = provenanceOfCode(provenance[i]!) ?? "replay";
    counts[p] = (counts[p] ?? 0) + 1;
    if (p === "refilled") refilled.push(bars[i]!.time);
    else if (p === "corrected") corrected.push(bars[i]!.time);
  }
  const expected = sessionMinutes(s);
  return {
    symbol,
    date: s.date,
    calendar: calendar.name,
    timeZone: calendar.timeZone,
    open: s.open,
    close: s.close,
    earlyClose: s.earlyClose,
    expected,
    present: bars.length,
    quality: qualityPercent(bars.length, expected),
    provenance: counts,
    marked: { refilled, corrected, late: late.filter((t) => inRegular(s, t)) },
    gaps: gapsOf(
      symbol,
      s,
      bars.map((b) => b.time),
    ),
  };
}

/**
 * Quality (present / expected x 100, one decimal) of each symbol on each of `dates`. A date that
 * is not a session of the symbol's calendar is `null`. The counting happens in the store
 * (`countBars`: one query per calendar in a database) over each session's regular hours, a break
 * excluded: the same minutes `/day` counts, so a cell equals that day's quality.
 */
export async function qualityCells(
  store: BarStore,
  symbols: readonly string[],
  calendars: ReadonlyMap<string, TradingCalendar>,
  dates: readonly string[],
): Promise<(number | null)[][]> {
  const cells: (number | null)[][] = symbols.map(() => dates.map(() => null));
  const byCalendar = new Map<TradingCalendar, number[]>();
  for (const [i, symbol] of symbols.entries()) {
    const cal = calendars.get(symbol)!;
    const list = byCalendar.get(cal);
    if (list === undefined) byCalendar.set(cal, [i]);
    else list.push(i);
  }
  for (const [cal, members] of byCalendar) {
    const ranges: TimeRange[] = [];
    // Per session: its date's column and its ranges' indices (one, or two around a break).
    const sessions: { column: number; first: number; n: number; expected: number }[] = [];
    for (const [column, d] of dates.entries()) {
      const s = cal.session(d);
      if (s === undefined) continue;
      const first = ranges.length;
      if (s.breakStart !== undefined && s.breakEnd !== undefined) {
        if (s.open < s.breakStart) ranges.push({ from: s.open, to: s.breakStart });
        if (s.breakEnd < s.close) ranges.push({ from: s.breakEnd, to: s.close });
      } else if (s.open < s.close) ranges.push({ from: s.open, to: s.close });
      sessions.push({ column, first, n: ranges.length - first, expected: sessionMinutes(s) });
    }
    const counts =
      ranges.length === 0
        ? members.map(() => [])
        : await store.countBars({ symbols: members.map((i) => symbols[i]!), ranges });
    for (const [j, i] of members.entries()) {
      const row = counts[j]!;
      for (const s of sessions) {
        let present = 0;
        for (let r = s.first; r < s.first + s.n; r++) present += row[r]!;
        // One decimal, rounded from the ratio × 1000 (as the cells have always been).
        cells[i]![s.column] =
          s.expected === 0 ? 100 : Math.round((present / s.expected) * 1000) / 10;
      }
    }
  }
  return cells;
}
