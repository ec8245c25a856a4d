import { describe, expect, it } from "vitest";
import { xnysCalendar } from "../calendar/xnys.js";
import { type Bar, MINUTE_MS } from "../domain/bar.js";
import { MemoryBarStore } from "../history/memory-bar-store.js";
import type { SessionDataEvent } from "../store/events.js";
import { SessionData } from "../store/public.js";
import type { BacktestReport } from "../stream/public.js";
import { BacktestStreamCoordinator } from "../stream/public.js";
import { noWait } from "./backoff.js";
import { DataUpkeep } from "./data-upkeep.js";
import type { UpkeepEvent, UpkeepReport } from "./events.js";
import { FlakySource } from "./flaky-source.js";
import { barAt } from "./upkeep.test-helpers.js";

// The figure is 50 symbols x 20 sessions; the test keeps CI quick with 12 x 5 (the
// `sessiondata backtest --drop-rate` run reports the full-size figure).
const SYMBOLS = Array.from({ length: 12 }, (_, k) => `S${String(k).padStart(2, "0")}`);
const FROM = "2024-01-08";
const TO = "2024-01-12";
const cal = xnysCalendar;

async function fullStore(): Promise<{
  store: MemoryBarStore;
  byDate: Map<string, Map<string, Bar[]>>;
}> {
  const store = new MemoryBarStore();
  const byDate = new Map<string, Map<string, Bar[]>>();
  const dates = cal.sessionsBetween(FROM, TO);
  for (const [k, symbol] of SYMBOLS.entries()) {
    const all: Bar[] = [];
    for (const date of dates) {
      const s = cal.session(date)!;
      const day: Bar[] = [];
      for (let t = s.open; t < s.close; t += MINUTE_MS) day.push(barAt(t, k));
      all.push(...day);
      if (!byDate.has(date)) byDate.set(date, new Map());
      byDate.get(date)!.set(symbol, day);
    }
    await store.writeBars(symbol, all);
  }
  return { store, byDate };
}

interface Run {
  report: BacktestReport;
  upkeep: UpkeepReport;
  events: string[];
  arrivals: Record<string, number>;
  sessionsChecked: number;
  mismatches: string[];
}

async function replay(options: {
  dropRate?: number;
  failureRate?: number;
  down?: boolean;
  attempts?: number;
}): Promise<Run> {
  const { store, byDate } = await fullStore();
  const sd = new SessionData({ calendar: cal });
  const source = new FlakySource(store, {
    failureRate: options.failureRate ?? 0,
    down: options.down ?? false,
    seed: 11,
    latencyMs: 1,
    sleep: noWait,
  });
  const upkeep = new DataUpkeep({
    sessionData: sd,
    source,
    calendar: cal,
    retry: { attempts: options.attempts ?? 24, baseDelayMs: 100, maxDelayMs: 5_000 },
    sleep: noWait,
  });
  const events: string[] = [];
  upkeep.subscribe((e: UpkeepEvent) =>
    events.push(
      "gap" in e
        ? `${e.type} ${e.gap.symbol} ${e.gap.start} ${e.gap.count}`
        : `${e.type} ${e.symbol} ${e.quality}`,
    ),
  );
  const arrivals: Record<string, number> = {};
  sd.subscribe((e: SessionDataEvent) => {
    if (e.type === "bar") arrivals[e.arrival] = (arrivals[e.arrival] ?? 0) + 1;
  });
  const coordinator = new BacktestStreamCoordinator({
    barStore: store,
    sessionData: sd,
    calendar: cal,
    from: FROM,
    to: TO,
    upkeep,
    ...(options.dropRate === undefined ? {} : { dropRate: options.dropRate, seed: 5 }),
  });
  const mismatches: string[] = [];
  let sessionsChecked = 0;
  coordinator.on("sessionEnd", ({ date }) => {
    sessionsChecked++;
    for (const symbol of SYMBOLS) {
      const want = byDate.get(date)!.get(symbol)!;
      const have = sd.getLastNBars(symbol, 1_000);
      if (JSON.stringify(have) !== JSON.stringify(want)) mismatches.push(`${date} ${symbol}`);
    }
  });
  const report = await coordinator.run();
  return { report, upkeep: upkeep.report(), events, arrivals, sessionsChecked, mismatches };
}

/** The report without wall-clock fields, fault counters and repair counters. */
function comparable(report: BacktestReport): unknown {
  const { wallMs: _w, barsPerSecond: _b, droppedBars: _d, upkeep: _u, symbols, ...rest } = report;
  const stripped = Object.fromEntries(
    Object.entries(symbols).map(([symbol, r]) => {
      const { filledBarCount: _f, unfillableBarCount: _x, provenance: _p, ...metrics } = r.metrics!;
      return [symbol, { ...r, metrics }];
    }),
  );
  return JSON.parse(JSON.stringify({ ...rest, symbols: stripped }));
}

describe("upkeep driven by a backtest replay", () => {
  it("refills every dropped bar through a source failing half its requests", async () => {
    const clean = await replay({});
    const faulty = await replay({ dropRate: 0.01, failureRate: 0.5 });
    const dropped = faulty.report.droppedBars!;
    expect(dropped, "about 1% of 23,400 bars").toBeGreaterThan(150);
    expect(faulty.sessionsChecked).toBe(5);
    expect(faulty.mismatches, "every session ends identical to the source").toEqual([]);
    expect(faulty.upkeep.barsFilled, "every dropped bar refilled").toBe(dropped);
    expect(
      (faulty.arrivals.append ?? 0) + (faulty.arrivals.insert ?? 0),
      "each bar stored once: streamed or refilled",
    ).toBe(faulty.report.bars);
    expect(faulty.arrivals.replace, "no bar written twice").toBeUndefined();
    expect(faulty.upkeep.barsUnfillable).toBe(0);
    expect(faulty.upkeep.failedRequests, "the flaky source did fail").toBeGreaterThan(50);
    expect(faulty.upkeep.finalQuality).toBe(100);
    expect(faulty.upkeep.minQuality).toBe(100);
    for (const symbol of SYMBOLS) {
      expect(faulty.report.symbols[symbol]!.metrics!.barQuality, symbol).toBe(100);
    }
    expect(comparable(faulty.report), "the same report as a run without drops").toEqual(
      comparable(clean.report),
    );
    expect(clean.upkeep).toMatchObject({ gapsDetected: 0, requests: 0, finalQuality: 100 });
    let refilled = 0;
    for (const symbol of SYMBOLS) {
      const m = faulty.report.symbols[symbol]!.metrics!;
      expect(clean.report.symbols[symbol]!.metrics!.provenance.replay, symbol).toBe(m.barCount);
      expect(m.provenance.replay + m.provenance.refilled, `${symbol}: replayed or refilled`).toBe(
        m.barCount,
      );
      refilled += m.provenance.refilled;
    }
    expect(refilled, "the last session's refilled bars are counted as refilled").toBeGreaterThan(0);

    const again = await replay({ dropRate: 0.01, failureRate: 0.5 });
    expect(again.events, "the same events, in the same order").toEqual(faulty.events);
    expect(again.upkeep).toEqual(faulty.upkeep);
  });

  it("completes with the source down: dropped bars reported unfillable after the retry budget", async () => {
    const run = await replay({ dropRate: 0.01, down: true, attempts: 3 });
    const dropped = run.report.droppedBars!;
    expect(run.report.sessions).toBe(5);
    expect(run.upkeep.barsUnfillable).toBe(dropped);
    expect(run.upkeep.barsFilled).toBe(0);
    expect(run.upkeep.requests).toBe(run.upkeep.failedRequests);
    expect(run.upkeep.requests % 3, "3 attempts per request").toBe(0);
    expect(run.upkeep.finalQuality).toBeCloseTo(((23_400 - dropped) / 23_400) * 100, 9);
    for (const gap of run.upkeep.unfillableGaps) {
      expect(gap.reason).toMatch(/failed 3 times, retry budget spent.*down/);
    }
    expect(run.events.filter((e) => e.startsWith("gapUnfillable")).length).toBeGreaterThan(0);
  });
});
