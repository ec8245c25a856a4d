/**
 * `npm run bench -- replay`: end-to-end backtest replay of generated data from a DuckDB file.
 *
 * - 500 symbols × 21 XNYS sessions (January 2024, about 4.1 M bars), generated once into a temp
 *   file: bars/s into SessionData alone and with SMA-50, EMA-20 and RSI-14 on every bar, beside a
 *   baseline measured in the same run: a raw loop over the same scan chunks writing each bar into
 *   per-symbol typed arrays (what the replay costs on top of reading the data at all). The same
 *   replays from the chunks preloaded in memory, beside the raw loop over those chunks. Every
 *   case runs once per round (`SESSIONDATA_BENCH_ROUNDS`, default 2), interleaved; the best
 *   wall and CPU figures are kept and each is given as a share of its raw loop's.
 *   `SESSIONDATA_BENCH_REPLAY=throughput` runs only these.
 * - Staggered ranges (`runRanges`, first): a backtest of symbols whose stored ranges differ (three
 *   cohorts of 30 symbols, each stored over its own 21 of 63 sessions, like SPY 2013 + AAPL 2014 +
 *   GOOG 2015) beside an aligned one of the same size (30 symbols over all 63 sessions), both the
 *   full system (SessionData, indicators, gap repair) in the same run: goal within 20 % of the
 *   aligned bars/s. `SESSIONDATA_BENCH_REPLAY=ranges` runs only this case.
 * - Peak RSS of a replay of 21 vs 63 sessions, each in its own child process
 *   (`VmHWM`, see peak-rss.ts), beside a child that only opens the store: memory must not
 *   grow with the range. The 63-session file holds fewer symbols when generating it would take
 *   too long here (the table says how many).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { AnalysisEngine } from "../src/analysis/public.js";
import { xnysCalendar as calendar } from "../src/calendar/xnys.js";
import type { BarChunk, BarStore, ScanOptions } from "../src/history/bar-store.js";
import { DuckDbBarStore, generateSampleBars } from "../src/history/public.js";
import { SessionData } from "../src/store/public.js";
import { type BacktestReport, BacktestStreamCoordinator } from "../src/stream/public.js";
import { SystemManager } from "../src/system/public.js";
import { runJsonChild } from "./json-child.js";
import { peakRssMb } from "./peak-rss.js";

const INDICATORS = ["sma:50", "ema:20", "rsi:14"];
const CHILD_ENV = "SESSIONDATA_REPLAY_BENCH_CHILD";
/** Seconds of generation the RSS comparison may spend on its 63-session file. */
const RSS_GENERATION_BUDGET_S = 45;

/** The first `n` XNYS sessions from 2024-01-02. */
function sessions(n: number): string[] {
  return calendar.sessionsBetween("2024-01-02", "2024-12-31").slice(0, n);
}

/**
 * Baseline: the same single scan the replay makes, each bar written into per-symbol typed
 * arrays (one set per symbol, refilled from 0 at each session, as the store starts one).
 */
async function rawLoop(store: BarStore, dates: readonly string[]): Promise<number> {
  const closes = dates.map((d) => calendar.session(d)!.close);
  const first = calendar.session(dates[0]!)!.open;
  const index = new Map<string, number>();
  let columns: Float64Array[] = [];
  let counts: Int32Array = new Int32Array(0);
  let bars = 0;
  let session = 0;
  let minute = Number.NaN;
  for await (const c of store.scan({ from: first, to: closes[closes.length - 1]! })) {
    for (let i = 0; i < c.length; i++) {
      const t = c.time[i]!;
      if (t !== minute) {
        minute = t;
        if (t >= closes[session]!) {
          while (t >= closes[session]!) session++;
          counts.fill(0);
        }
      }
      const name = c.symbol[i]!;
      let k = index.get(name);
      if (k === undefined) {
        k = index.size;
        index.set(name, k);
        columns = [...columns, ...Array.from({ length: 6 }, () => new Float64Array(1024))];
        const grown = new Int32Array(index.size);
        grown.set(counts);
        counts = grown;
      }
      const at = counts[k]!++;
      const base = k * 6;
      columns[base]![at] = t;
      columns[base + 1]![at] = c.open[i]!;
      columns[base + 2]![at] = c.high[i]!;
      columns[base + 3]![at] = c.low[i]!;
      columns[base + 4]![at] = c.close[i]!;
      columns[base + 5]![at] = c.volume[i]!;
      bars++;
    }
  }
  return bars;
}

/**
 * The chunks of one scan of `store`, read once and held in memory, behind the `BarStore` port:
 * replaying from it measures the coordinator, the session store and the indicators without the
 * database (the scan's own cost is the baseline's business).
 */
async function preloaded(store: BarStore, dates: readonly string[]): Promise<BarStore> {
  const from = calendar.session(dates[0]!)!.open;
  const to = calendar.session(dates[dates.length - 1]!)!.close;
  const chunks: BarChunk[] = [];
  for await (const c of store.scan({ from, to })) chunks.push(c);
  const symbols = await store.symbols();
  return {
    writeBars: async () => undefined,
    readBars: async () => [],
    symbols: async () => symbols,
    coverage: async () => undefined,
    countBars: (o) => store.countBars(o),
    symbolInfo: async () => undefined,
    listSymbolInfo: async () => [],
    setSymbolInfo: async () => undefined,
    close: async () => undefined,
    async *scan(o: ScanOptions) {
      if (o.from !== from || o.to !== to) throw new Error("preloaded: another range was asked");
      yield* chunks;
    },
  };
}

/** The coordinator alone: a session store that takes every bar and keeps nothing. */
function nullSessionData(): SessionData {
  const sink = {
    currentSession: undefined,
    startSession() {},
    addBar() {},
    addBarValues() {},
    advanceClock() {},
    getSessionMetrics() {
      return undefined;
    },
  };
  return sink as unknown as SessionData;
}

async function replay(
  store: BarStore,
  dates: readonly string[],
  withAnalysis: boolean,
  sessionData = new SessionData({ calendar }),
): Promise<{ bars: number; barsPerSecond: number }> {
  const analysisEngine = withAnalysis
    ? new AnalysisEngine({ sessionData, indicators: INDICATORS })
    : undefined;
  const report = await new BacktestStreamCoordinator({
    barStore: store,
    sessionData,
    calendar,
    from: dates[0]!,
    to: dates[dates.length - 1]!,
    ...(analysisEngine === undefined ? {} : { analysisEngine }),
  }).run();
  return { bars: report.bars, barsPerSecond: report.barsPerSecond };
}

async function generate(path: string, symbols: number, dates: readonly string[]): Promise<number> {
  const store = await DuckDbBarStore.open(path);
  const start = performance.now();
  await generateSampleBars(store, {
    symbols,
    from: dates[0]!,
    to: dates[dates.length - 1]!,
    seed: 1,
    calendar,
  });
  const seconds = (performance.now() - start) / 1000;
  await store.close();
  return seconds;
}

interface ChildResult {
  bars: number;
  maxRssMb: number;
  /** Peak of V8 heap used + array buffers, sampled every 20 ms: the JavaScript side's memory. */
  peakJsMb: number;
}

/** One replay (or none, for `sessions` 0) in a fresh process: its peak RSS. */
function child(path: string, sessionCount: number): Promise<ChildResult> {
  return runJsonChild<ChildResult>(
    ["--import", "tsx", fileURLToPath(import.meta.url)],
    { [CHILD_ENV]: JSON.stringify({ path, sessionCount }) },
    "replay child",
  );
}

async function childMain(): Promise<void> {
  const { path, sessionCount } = JSON.parse(process.env[CHILD_ENV]!) as {
    path: string;
    sessionCount: number;
  };
  let peakJs = 0;
  const sample = () => {
    const m = process.memoryUsage();
    peakJs = Math.max(peakJs, m.heapUsed + m.arrayBuffers);
  };
  // The replay yields to the event loop every few ms, so the sampler gets its turns.
  const sampler = setInterval(sample, 20);
  const store = await DuckDbBarStore.open(path);
  let bars = 0;
  if (sessionCount > 0) bars = (await replay(store, sessions(sessionCount), true)).bars;
  sample();
  clearInterval(sampler);
  await store.close();
  const result: ChildResult = {
    bars,
    // Not resourceUsage().maxRSS: on Linux it starts from this bench's (the parent's) peak.
    maxRssMb: peakRssMb(),
    peakJsMb: peakJs / 2 ** 20,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

const mb = (x: number) => `${x.toFixed(0)} MB`;
const rate = (x: number) => `${(x / 1e6).toFixed(2)} M/s`;
const pct = (x: number) => `${(x * 100).toFixed(0)} %`;
/** Rounds of the 500 × 21 cases (`SESSIONDATA_BENCH_ROUNDS`, default 2). */
const ROUNDS = Math.max(1, Number(process.env.SESSIONDATA_BENCH_ROUNDS ?? 2) || 2);

/** The full system's backtest (analysis and gap repair, as `sessiondata backtest`) of `store`. */
async function systemBacktest(store: BarStore, dates: readonly string[]): Promise<BacktestReport> {
  const system = new SystemManager({ barStore: store, calendar, indicators: INDICATORS });
  await system.start();
  try {
    return await system.dataManager
      .createBacktest({ from: dates[0]!, to: dates[dates.length - 1]! })
      .run();
  } finally {
    await system.stop();
  }
}

/** Aligned vs staggered stored ranges, same symbol-sessions, same run. */
export async function runRanges(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "sessiondata-ranges-bench-"));
  try {
    const all = sessions(63);
    const names = (prefix: string) => Array.from({ length: 30 }, (_, i) => `${prefix}${i}`);
    const aligned = await DuckDbBarStore.open(join(dir, "aligned.duckdb"));
    await generateSampleBars(aligned, {
      symbols: names("A"),
      from: all[0]!,
      to: all[62]!,
      seed: 1,
      calendar,
    });
    const staggered = await DuckDbBarStore.open(join(dir, "staggered.duckdb"));
    for (const [k, prefix] of ["S", "T", "U"].entries()) {
      await generateSampleBars(staggered, {
        symbols: names(prefix),
        from: all[k * 21]!,
        to: all[k * 21 + 20]!,
        seed: 1 + k,
        calendar,
      });
    }
    // Interleaved, best of each: a shared machine's load then falls on both cases alike. Bars
    // per CPU second (the process's user + system time, all threads) beside wall bars/s: on a
    // loaded box the wall figure swings, the CPU one much less.
    const timed = async (store: BarStore) => {
      const cpu = process.cpuUsage();
      const report = await systemBacktest(store, all);
      const used = process.cpuUsage(cpu);
      return { report, perCpu: report.bars / ((used.user + used.system) / 1e6) };
    };
    let a = await timed(aligned);
    let b = await timed(staggered);
    for (let i = 1; i < 4; i++) {
      const x = await timed(aligned);
      if (x.perCpu > a.perCpu) a = x;
      const y = await timed(staggered);
      if (y.perCpu > b.perCpu) b = y;
    }
    await aligned.close();
    await staggered.close();
    const missing = (r: BacktestReport) => (r.upkeep as { barsMissing: number }).barsMissing;
    console.log(
      "backtest (SessionData + SMA-50, EMA-20, RSI-14 + gap repair), best of 4 interleaved runs each:",
    );
    console.table([
      {
        measure: "aligned: 30 symbols × 63 sessions",
        bars: a.report.bars,
        "bars/CPU s": rate(a.perCpu),
        "bars/s (wall)": rate(a.report.barsPerSecond),
        "bars missing": missing(a.report),
      },
      {
        measure: "staggered: 3 × 30 symbols × their own 21 of 63 sessions",
        bars: b.report.bars,
        "bars/CPU s": rate(b.perCpu),
        "bars/s (wall)": rate(b.report.barsPerSecond),
        "bars missing": missing(b.report),
      },
    ]);
    console.log(
      `staggered / aligned: ${(b.perCpu / a.perCpu).toFixed(2)} per CPU second, ${(b.report.barsPerSecond / a.report.barsPerSecond).toFixed(2)} wall (goal ≥ 0.80)`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<void> {
  const only = process.env.SESSIONDATA_BENCH_REPLAY;
  if (only !== "throughput") await runRanges();
  if (only === "ranges") return;
  const dir = mkdtempSync(join(tmpdir(), "sessiondata-replay-bench-"));
  try {
    const month = sessions(21);
    const mainDb = join(dir, "replay-500x21.duckdb");
    const genSeconds = await generate(mainDb, 500, month);
    const store = await DuckDbBarStore.open(mainDb);
    const inMemory = await preloaded(store, month);
    const raw = async (from: BarStore) => {
      const start = performance.now();
      const bars = await rawLoop(from, month);
      return { bars, barsPerSecond: bars / ((performance.now() - start) / 1000) };
    };
    // Every case once per round, round after round (a shared machine's load then falls on all
    // alike), the best of the rounds kept, by wall time and by CPU time (user + system of the
    // process, DuckDB's threads included) each.
    const cases = {
      baseline: () => raw(store),
      coordinatorOnly: () => replay(store, month, false, nullSessionData()),
      alone: () => replay(store, month, false),
      analysed: () => replay(store, month, true),
      memBaseline: () => raw(inMemory),
      memAlone: () => replay(inMemory, month, false),
      memAnalysed: () => replay(inMemory, month, true),
    };
    type Case = keyof typeof cases;
    const top = {} as Record<Case, { bars: number; wall: number; cpu: number }>;
    for (let round = 0; round < ROUNDS; round++) {
      for (const name of Object.keys(cases) as Case[]) {
        const cpu = process.cpuUsage();
        const r = await cases[name]();
        const used = process.cpuUsage(cpu);
        const perCpu = r.bars / ((used.user + used.system) / 1e6);
        const t = (top[name] ??= { bars: r.bars, wall: 0, cpu: 0 });
        t.wall = Math.max(t.wall, r.barsPerSecond);
        t.cpu = Math.max(t.cpu, perCpu);
      }
    }
    await store.close();
    const totalBars = top.baseline.bars;
    const row = (measure: string, name: Case, base: Case | undefined, goal: string) => ({
      measure,
      "bars/s": rate(top[name].wall),
      "bars/CPU s": rate(top[name].cpu),
      "of raw loop (wall, CPU)":
        base === undefined
          ? ""
          : `${pct(top[name].wall / top[base].wall)}, ${pct(top[name].cpu / top[base].cpu)}`,
      goal,
    });
    console.log(
      `500 symbols × 21 sessions = ${totalBars.toLocaleString("en-US")} bars (generated in ${genSeconds.toFixed(1)} s, ${rate(totalBars / genSeconds)}); best of ${ROUNDS} interleaved rounds each`,
    );
    console.table([
      row("baseline: raw loop, scan chunks → typed arrays", "baseline", undefined, ""),
      row("replay into a no-op store (coordinator alone)", "coordinatorOnly", "baseline", ""),
      row("replay into SessionData", "alone", "baseline", "≥ 3 M/s"),
      row("replay + SMA-50, EMA-20, RSI-14", "analysed", "baseline", "≥ 1.5 M/s, ≥ 75 %"),
      row("baseline: raw loop over the same chunks preloaded", "memBaseline", undefined, ""),
      row("same chunks preloaded in memory → SessionData", "memAlone", "memBaseline", ""),
      row(
        "same chunks preloaded → SessionData + indicators",
        "memAnalysed",
        "memBaseline",
        "≥ 75 %",
      ),
    ]);
    if (process.env.SESSIONDATA_BENCH_REPLAY === "throughput") return;

    // The 63-session file: as many symbols as the generation budget allows at the rate just seen.
    const long = sessions(63);
    const perSymbolSeconds = genSeconds / 500;
    const rssSymbols = Math.min(
      500,
      Math.max(20, Math.floor(RSS_GENERATION_BUDGET_S / (perSymbolSeconds * 3))),
    );
    const rssDb = join(dir, `replay-${rssSymbols}x63.duckdb`);
    await generate(rssDb, rssSymbols, long);
    const idle = await child(rssDb, 0);
    const short = await child(rssDb, 21);
    const longRun = await child(rssDb, 63);
    console.log(
      `peak RSS per replay (with analysis), each in its own process, ${rssSymbols} symbols:`,
    );
    console.table([
      {
        range: "open the store only",
        bars: idle.bars,
        "peak RSS": mb(idle.maxRssMb),
        "peak JS heap + buffers": mb(idle.peakJsMb),
      },
      {
        range: "21 sessions",
        bars: short.bars,
        "peak RSS": mb(short.maxRssMb),
        "peak JS heap + buffers": mb(short.peakJsMb),
      },
      {
        range: "63 sessions",
        bars: longRun.bars,
        "peak RSS": mb(longRun.maxRssMb),
        "peak JS heap + buffers": mb(longRun.peakJsMb),
      },
    ]);
    const more = (a: number, b: number) => `${((a / b - 1) * 100).toFixed(1)} %`;
    console.log(
      `63 vs 21 sessions: ${(longRun.bars / short.bars).toFixed(1)}× the bars, ${more(longRun.maxRssMb, short.maxRssMb)} peak RSS, ${more(longRun.peakJsMb, short.peakJsMb)} peak JS heap + buffers`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.env[CHILD_ENV] !== undefined) await childMain();
