/**
 * `npm run bench -- analysis-workers`: `AnalysisEngine({ workers })` beside the single-threaded
 * engine over the same bars, in one run (issue #19's goal: 2 workers ≥ 1.7× 1 worker).
 *
 * - follow: a replay minute by minute into a fresh store with the engine following it, then
 *   `analyzeMany(every symbol)`; the store alone beside it (what the owner thread pays anyway).
 * - catch-up: an engine made over a store that already holds the sessions, timing
 *   `analyzeMany(every symbol)`: each set warms up from history and takes in the session, the
 *   analysis work alone.
 *
 * Worker start-up (a thread, and tsx compiling the sources) is kept out of the timings: each
 * engine answers a symbol of every worker before the clock starts. The machine has 2 cores that the owner
 * thread and the workers share; the load is printed with the figures.
 */
import { loadavg } from "node:os";
import { AnalysisEngine } from "../src/analysis/analysis-engine.js";
import { xnysCalendar } from "../src/calendar/xnys.js";
import type { Bar } from "../src/domain/bar.js";
import { SessionData } from "../src/store/session-data.js";

const SYMBOLS = 200;
const DATES = ["2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05", "2024-01-08", "2024-01-09"];
const SETS: Record<string, string[]> = {
  "default (sma:50, ema:20, rsi:14)": ["sma:50", "ema:20", "rsi:14"],
  "twelve indicators": [
    "sma:20",
    "sma:50",
    "sma:200",
    "ema:10",
    "ema:20",
    "ema:50",
    "rsi:7",
    "rsi:14",
    "macd:12:26:9",
    "bollinger:20:2",
    "atr:14",
    "vwap",
  ],
};

/** Minute-major bars: `bars[m][i]` is symbol i's bar of the m-th minute over every session. */
function makeBars(): Bar[][] {
  const out: Bar[][] = [];
  let k = 0;
  for (const date of DATES) {
    const s = xnysCalendar.session(date)!;
    for (let t = s.preOpen; t < s.postClose; t += 60_000, k++) {
      const row: Bar[] = [];
      for (let i = 0; i < SYMBOLS; i++) {
        const open = 100 + (i % 50) + 3 * Math.sin(k / 37 + i);
        const close = open + 0.2 * Math.sin(k / 5 + i * 0.3);
        row.push({
          time: t,
          open,
          high: Math.max(open, close) + 0.05,
          low: Math.min(open, close) - 0.05,
          close,
          volume: 100 + ((k * 7 + i) % 50),
        });
      }
      out.push(row);
    }
  }
  return out;
}

const names = Array.from({ length: SYMBOLS }, (_, i) => `SYM${String(i).padStart(3, "0")}`);

function feed(sd: SessionData, bars: Bar[][], from: number, to: number): void {
  for (let m = from; m < to; m++) {
    const row = bars[m]!;
    for (let i = 0; i < SYMBOLS; i++) sd.addBar(names[i]!, row[i]!);
  }
}

/** Seconds for a replay with `mode`'s engine following, up to `analyzeMany` of every symbol. */
function follow(bars: Bar[][], indicators: string[], mode: number | "none" | "single"): number {
  const sd = new SessionData({ calendar: xnysCalendar });
  const engine =
    mode === "none"
      ? undefined
      : new AnalysisEngine({
          sessionData: sd,
          indicators,
          ...(mode === "single" ? {} : { workers: mode }),
        });
  feed(sd, bars, 0, 1); // the first minute, and the workers started, before the clock
  engine?.analyzeMany(names);
  const t0 = performance.now();
  feed(sd, bars, 1, bars.length);
  engine?.analyzeMany(names);
  const s = (performance.now() - t0) / 1_000;
  engine?.dispose();
  return s;
}

/** Seconds for `analyzeMany` of every symbol by an engine made over a full store. */
function catchUp(sd: SessionData, indicators: string[], mode: number | "single"): number {
  const engine = new AnalysisEngine({
    sessionData: sd,
    indicators,
    ...(mode === "single" ? {} : { workers: mode }),
  });
  engine.analyzeMany(names.slice(0, 2)); // one symbol to each worker: both started
  const t0 = performance.now();
  engine.analyzeMany(names.slice(2));
  const s = (performance.now() - t0) / 1_000;
  engine.dispose();
  return s;
}

export async function run(): Promise<void> {
  const bars = makeBars();
  const total = bars.length * SYMBOLS;
  const full = new SessionData({ calendar: xnysCalendar });
  feed(full, bars, 0, bars.length);
  const f = (x: number) => (x >= 100 ? x.toFixed(0) : x.toFixed(2));
  for (const [label, indicators] of Object.entries(SETS)) {
    const load = loadavg()[0]!.toFixed(1);
    // Three rounds, the modes interleaved in each (so a load spike hits them alike); medians.
    const rounds: number[][] = [];
    for (let r = 0; r < 3; r++) {
      rounds.push([
        follow(bars, indicators, "none"),
        follow(bars, indicators, "single"),
        follow(bars, indicators, 1),
        follow(bars, indicators, 2),
        catchUp(full, indicators, "single"),
        catchUp(full, indicators, 1),
        catchUp(full, indicators, 2),
      ]);
    }
    const med = (j: number) => rounds.map((r) => r[j]!).sort((a, b) => a - b)[1]!;
    const [store, single, w1, w2, c1, cw1, cw2] = [0, 1, 2, 3, 4, 5, 6].map(med) as [
      number,
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    const loadAfter = loadavg()[0]!.toFixed(1);
    const bps = (s: number, n: number) => `${f(n / s / 1e6)} M/s`;
    const sessionBars = (SYMBOLS - 2) * (bars.length / DATES.length);
    console.log(
      `\nAnalysis on worker threads, ${label}: ${SYMBOLS} symbols × ${DATES.length} XNYS sessions (${(total / 1e6).toFixed(2)} M bars), median of 3 rounds, load ${load} → ${loadAfter}`,
    );
    console.table([
      { run: "follow: store alone (no engine)", "bars/s": bps(store, total), "vs 1 worker": "" },
      {
        run: "follow: single-threaded engine",
        "bars/s": bps(single, total),
        "vs 1 worker": `${(w1 / single).toFixed(2)}×`,
      },
      { run: "follow: workers 1", "bars/s": bps(w1, total), "vs 1 worker": "1.00×" },
      {
        run: "follow: workers 2",
        "bars/s": bps(w2, total),
        "vs 1 worker": `${(w1 / w2).toFixed(2)}×`,
      },
      {
        run: "catch-up: single-threaded engine",
        "bars/s": bps(c1, sessionBars),
        "vs 1 worker": `${(cw1 / c1).toFixed(2)}×`,
      },
      { run: "catch-up: workers 1", "bars/s": bps(cw1, sessionBars), "vs 1 worker": "1.00×" },
      {
        run: "catch-up: workers 2",
        "bars/s": bps(cw2, sessionBars),
        "vs 1 worker": `${(cw1 / cw2).toFixed(2)}×`,
      },
    ]);
  }
  console.log(
    "(follow: bars/s of the whole replay, the owner's store writes included; catch-up: session bars taken in per second, warm-up from history on top; goal: workers 2 ≥ 1.7× workers 1)",
  );
}
