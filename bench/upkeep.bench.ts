/**
 * `npm run bench -- upkeep`:
 * - a completeness check over 5,000 symbols of a full XNYS session (390 bars each, 1.95 million
 *   bars) with `DataUpkeep.checkAll`, beside a naive scan that builds a Set of each symbol's bar
 *   times and walks every expected minute. Target: <= 5 ms per check.
 * - the repair figure at full size: 50 symbols x 20 sessions replayed with 1% of bars
 *   dropped and a source failing 50% of requests, beside the same replay without drops (the
 *   baseline): wall time, bars refilled, duplicates, final quality, and whether the reports match.
 */
import { Bench } from "tinybench";
import { xnysCalendar } from "../src/calendar/xnys.js";
import { type Bar, MINUTE_MS } from "../src/domain/bar.js";
import { MemoryBarStore } from "../src/history/memory-bar-store.js";
import { SessionData } from "../src/store/public.js";
import { type BacktestReport, BacktestStreamCoordinator } from "../src/stream/public.js";
import { noWait } from "../src/upkeep/backoff.js";
import { DataUpkeep } from "../src/upkeep/data-upkeep.js";
import { FlakySource } from "../src/upkeep/flaky-source.js";
import type { Gap } from "../src/upkeep/gap.js";

const SYMBOLS = 5_000;
const DATE = "2024-01-08";

/** The obvious way: a Set of present times per symbol, then every expected minute looked up. */
function naiveCheck(sd: SessionData, symbols: readonly string[], open: number, end: number): Gap[] {
  const out: Gap[] = [];
  for (const symbol of symbols) {
    const have = new Set(sd.getSeries(symbol)?.time ?? []);
    let start = Number.NaN;
    for (let t = open; t <= end; t += MINUTE_MS) {
      const missing = t < end && !have.has(t);
      if (missing && Number.isNaN(start)) start = t;
      if (!missing && !Number.isNaN(start)) {
        out.push({ symbol, start, end: t, count: (t - start) / MINUTE_MS });
        start = Number.NaN;
      }
    }
  }
  return out;
}

function build(holeyEvery: number): { sd: SessionData; symbols: string[] } {
  const sd = new SessionData({ calendar: xnysCalendar, historySessions: 0 });
  sd.startSession(DATE);
  const s = xnysCalendar.session(DATE)!;
  const symbols: string[] = [];
  for (let k = 0; k < SYMBOLS; k++) {
    const symbol = `S${String(k).padStart(4, "0")}`;
    symbols.push(symbol);
    const bars: Bar[] = [];
    for (let m = 0; m < 390; m++) {
      // Every `holeyEvery`-th symbol misses three scattered minutes.
      if (holeyEvery > 0 && k % holeyEvery === 0 && (m === 17 + (k % 50) || m === 200 || m === 389))
        continue;
      const p = 100 + (m % 7);
      bars.push({
        time: s.open + m * MINUTE_MS,
        open: p,
        high: p + 1,
        low: p - 1,
        close: p,
        volume: 10,
      });
    }
    sd.addBars(symbol, bars);
  }
  sd.advanceClock(s.close);
  return { sd, symbols };
}

/** 50 symbols x 20 full XNYS sessions in a MemoryBarStore (390,000 bars). */
async function replayStore(): Promise<{ store: MemoryBarStore; dates: string[] }> {
  const dates = xnysCalendar.sessionsBetween("2024-01-02", "2024-02-29").slice(0, 20);
  const store = new MemoryBarStore();
  for (let k = 0; k < 50; k++) {
    const bars: Bar[] = [];
    for (const date of dates) {
      const s = xnysCalendar.session(date)!;
      for (let t = s.open; t < s.close; t += MINUTE_MS) {
        const p = 50 + k + ((t / MINUTE_MS) % 13) * 0.1;
        bars.push({ time: t, open: p, high: p + 0.2, low: p - 0.2, close: p + 0.1, volume: 100 });
      }
    }
    await store.writeBars(`S${String(k).padStart(2, "0")}`, bars);
  }
  return { store, dates };
}

/** One replay with upkeep; `faults` drops 1% of bars and makes the source fail half the time. */
async function replayOnce(store: MemoryBarStore, dates: readonly string[], faults: boolean) {
  const sd = new SessionData({ calendar: xnysCalendar });
  let replaced = 0;
  sd.subscribe((e) => {
    if (e.type === "bar" && e.arrival === "replace") replaced++;
  });
  const source = faults
    ? new FlakySource(store, { failureRate: 0.5, seed: 7, sleep: noWait })
    : store;
  const upkeep = new DataUpkeep({
    sessionData: sd,
    source,
    retry: { attempts: 30, baseDelayMs: 100, maxDelayMs: 10_000 },
    sleep: noWait,
  });
  const coordinator = new BacktestStreamCoordinator({
    barStore: store,
    sessionData: sd,
    calendar: xnysCalendar,
    from: dates[0]!,
    to: dates[dates.length - 1]!,
    upkeep,
    ...(faults ? { dropRate: 0.01, seed: 3 } : {}),
  });
  const t0 = performance.now();
  const report = await coordinator.run();
  return { report, wallMs: performance.now() - t0, upkeep: upkeep.report(), replaced };
}

/** A report without wall-clock fields, fault counters and repair counters. */
function comparable(report: BacktestReport): string {
  const { wallMs: _w, barsPerSecond: _b, droppedBars: _d, upkeep: _u, symbols, ...rest } = report;
  const stripped = Object.entries(symbols).map(([symbol, r]) => {
    const { filledBarCount: _f, unfillableBarCount: _x, ...metrics } = r.metrics!;
    return [symbol, metrics];
  });
  return JSON.stringify({ ...rest, stripped });
}

async function replayFigure(): Promise<void> {
  const { store, dates } = await replayStore();
  const clean = await replayOnce(store, dates, false);
  const faulty = await replayOnce(store, dates, true);
  const same = comparable(clean.report) === comparable(faulty.report);
  console.table(
    [
      ["no drops, reliable source (baseline)", clean],
      ["1% dropped, source failing 50%", faulty],
    ].map(([label, r]) => {
      const x = r as typeof clean;
      return {
        replay: label as string,
        bars: x.report.bars,
        "wall ms": Math.round(x.wallMs),
        dropped: x.report.droppedBars ?? 0,
        refilled: x.upkeep.barsFilled,
        unfillable: x.upkeep.barsUnfillable,
        "duplicates (replaced)": x.replaced,
        requests: x.upkeep.requests,
        "failed requests": x.upkeep.failedRequests,
        "final quality %": x.upkeep.finalQuality,
      };
    }),
  );
  console.log(
    `50 symbols x ${dates.length} sessions: report identical to the run without drops (metrics, bars, slices): ${same}`,
  );
}

export async function run(): Promise<void> {
  const s = xnysCalendar.session(DATE)!;
  const rows: Record<string, string | number>[] = [];
  for (const [label, holeyEvery] of [
    ["complete", 0],
    ["5% of symbols with 3 gaps", 20],
  ] as const) {
    const t0 = performance.now();
    const { sd, symbols } = build(holeyEvery);
    const buildMs = performance.now() - t0;
    const upkeep = new DataUpkeep({
      sessionData: sd,
      source: { readBars: async () => [] },
      sleep: noWait,
    });
    const ours = upkeep.checkAll(s.close);
    const naive = naiveCheck(sd, symbols, s.open, s.close);
    if (JSON.stringify(ours) !== JSON.stringify(naive)) {
      throw new Error(
        `checkAll and the naive scan disagree (${ours.length} vs ${naive.length} gaps)`,
      );
    }
    let sink = 0;
    const bench = new Bench({ time: 1_500, warmup: true });
    bench
      .add(`checkAll, ${label}`, () => {
        sink += upkeep.checkAll(s.close).length;
      })
      .add(`naive Set scan, ${label}`, () => {
        sink += naiveCheck(sd, symbols, s.open, s.close).length;
      });
    if (holeyEvery === 0) {
      // The whole per-interval pass of a replay when nothing is missing (check + quality upkeep).
      bench.add(`runOnce, ${label}`, async () => {
        await upkeep.runOnce(s.close);
      });
    }
    await bench.run();
    for (const task of bench.tasks) {
      const result = task.result as { latency?: { p50: number; p99: number } } | undefined;
      rows.push({
        check: task.name,
        symbols: SYMBOLS,
        gaps: ours.length,
        "median ms": Number((result?.latency?.p50 ?? Number.NaN).toFixed(3)),
        "p99 ms": Number((result?.latency?.p99 ?? Number.NaN).toFixed(3)),
      });
    }
    const missing = ours.reduce((n, g) => n + g.count, 0);
    console.error(`(${label}: ${SYMBOLS * 390 - missing} bars loaded in ${buildMs.toFixed(0)} ms)`);
    if (sink === 0 && holeyEvery > 0) console.log("(sink)");
  }
  console.table(rows);
  console.log("target: checkAll over 5,000 symbols <= 5 ms (median)");
  await replayFigure();
}
