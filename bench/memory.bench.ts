/**
 * `npm run bench -- memory`: peak resident memory of opening the store and replaying 500 symbols
 * × 21 XNYS sessions (with SMA-50, EMA-20, RSI-14, as `replay` does), each case in its own child
 * process (`process.resourceUsage().maxRSS`), with the store's DuckDB defaults beside the old
 * settings (DuckDB's own defaults: a memory limit of 80 % of RAM, one thread per core, 500,000-row
 * scan windows) in the same run. Each case runs twice, interleaved; the table keeps the higher
 * peak RSS and the better bars/s of the two.
 *
 * Beside them, what the process costs before any replay: bare Node, Node with the tsx loader
 * (these children run the TypeScript sources, as the bench does; a built package does not load
 * tsx), and a child that only opens the store. During each replay the child samples JavaScript's
 * heap and array buffers and DuckDB's own accounting (`duckDbMemory()`) every 20 ms: the columns
 * of where the memory goes.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { AnalysisEngine } from "../src/analysis/public.js";
import { xnysCalendar as calendar } from "../src/calendar/xnys.js";
import {
  DuckDbBarStore,
  type DuckDbBarStoreOptions,
  generateSampleBars,
} from "../src/history/public.js";
import { SessionData } from "../src/store/public.js";
import { BacktestStreamCoordinator } from "../src/stream/public.js";
import { runJsonChild } from "./json-child.js";
import { peakRssMb } from "./peak-rss.js";

const CHILD_ENV = "SESSIONDATA_MEMORY_BENCH_CHILD";
const MB = 2 ** 20;

interface ChildJob {
  readonly path: string;
  readonly replay: boolean;
  readonly options: DuckDbBarStoreOptions;
}

interface ChildResult {
  bars: number;
  barsPerSecond: number;
  /** Bars per second of the process's CPU time (all threads): steadier than wall time under load. */
  barsPerCpuSecond: number;
  maxRssMb: number;
  /** Peaks over the run, each on its own (they need not coincide). */
  heapMb: number;
  arrayBuffersMb: number;
  duckDbMb: number;
  duckDbTempMb: number;
  /** DuckDB's accounting by tag at its peak. */
  duckDbTags: Record<string, number>;
}

function sessions(n: number): string[] {
  return calendar.sessionsBetween("2024-01-02", "2024-12-31").slice(0, n);
}

/** Runs `args` with `env` in a child and parses its JSON result. */
function runChild<T>(args: string[], env: Record<string, string> = {}): Promise<T> {
  return runJsonChild<T>(args, env, "memory bench child");
}

function child(job: ChildJob, nodeFlags: string[] = []): Promise<ChildResult> {
  return runChild<ChildResult>([...nodeFlags, "--import", "tsx", fileURLToPath(import.meta.url)], {
    [CHILD_ENV]: JSON.stringify(job),
  });
}

async function childMain(): Promise<void> {
  const job = JSON.parse(process.env[CHILD_ENV]!) as ChildJob;
  const store = await DuckDbBarStore.open(job.path, { readOnly: true, ...job.options });
  let heap = 0;
  let buffers = 0;
  let duck = 0;
  let temp = 0;
  let tags: Record<string, number> = {};
  let busy = false;
  const sample = async (): Promise<void> => {
    const m = process.memoryUsage();
    heap = Math.max(heap, m.heapTotal);
    buffers = Math.max(buffers, m.arrayBuffers);
    if (busy) return;
    busy = true;
    const d = await store.duckDbMemory();
    if (d.usedBytes > duck) {
      duck = d.usedBytes;
      tags = d.byTag;
    }
    temp = Math.max(temp, d.temporaryBytes);
    busy = false;
  };
  // The replay yields to the event loop every few ms, so the sampler gets its turns.
  const sampler = setInterval(() => void sample(), 20);
  let bars = 0;
  let barsPerSecond = 0;
  const cpu = process.cpuUsage();
  if (job.replay) {
    const dates = sessions(21);
    const sessionData = new SessionData({ calendar });
    const analysisEngine = new AnalysisEngine({
      sessionData,
      indicators: ["sma:50", "ema:20", "rsi:14"],
    });
    const report = await new BacktestStreamCoordinator({
      barStore: store,
      sessionData,
      calendar,
      from: dates[0]!,
      to: dates[dates.length - 1]!,
      analysisEngine,
    }).run();
    bars = report.bars;
    barsPerSecond = report.barsPerSecond;
  }
  const used = process.cpuUsage(cpu);
  clearInterval(sampler);
  while (busy) await new Promise((r) => setTimeout(r, 5));
  await sample();
  await store.close();
  const result: ChildResult = {
    bars,
    barsPerSecond,
    barsPerCpuSecond: bars / ((used.user + used.system) / 1e6),
    maxRssMb: peakRssMb(),
    heapMb: heap / MB,
    arrayBuffersMb: buffers / MB,
    duckDbMb: duck / MB,
    duckDbTempMb: temp / MB,
    duckDbTags: Object.fromEntries(Object.entries(tags).map(([k, v]) => [k, Math.round(v / MB)])),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

const mb = (x: number) => `${x.toFixed(0)} MB`;
const rate = (x: number) => `${(x / 1e6).toFixed(2)} M/s`;

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "sessiondata-memory-bench-"));
  try {
    const dates = sessions(21);
    const path = join(dir, "replay-500x21.duckdb");
    const writer = await DuckDbBarStore.open(path);
    await generateSampleBars(writer, {
      symbols: 500,
      from: dates[0]!,
      to: dates[20]!,
      seed: 1,
      calendar,
    });
    await writer.close();

    const rssOnly = `process.stdout.write(JSON.stringify({maxRssMb: Number(/VmHWM:\\s*(\\d+)/.exec(require("fs").readFileSync("/proc/self/status", "utf8"))[1]) / 1024}))`;
    const bare = await runChild<{ maxRssMb: number }>(["-e", rssOnly]);
    const withTsx = await runChild<{ maxRssMb: number }>(["--import", "tsx", "-e", rssOnly]);
    const opened = await child({ path, replay: false, options: {} });

    // DuckDB's own defaults, as the store had them before it set its own.
    const old: DuckDbBarStoreOptions = {
      memoryLimit: `${Math.floor((totalmem() * 0.8) / MB)}MiB`,
      threads: availableParallelism(),
      scanWindowRows: 500_000,
    };
    const cases: { name: string; job: ChildJob; flags?: string[] }[] = [
      {
        name: `before: DuckDB's defaults (${old.memoryLimit}, ${old.threads} threads, 500k-row windows)`,
        job: { path, replay: true, options: old },
      },
      { name: "the store's defaults", job: { path, replay: true, options: {} } },
      {
        name: "the store's defaults, node --max-semi-space-size=4",
        job: { path, replay: true, options: {} },
        flags: ["--max-semi-space-size=4"],
      },
    ];
    const results = cases.map(() => [] as ChildResult[]);
    for (let round = 0; round < 2; round++) {
      for (const [i, c] of cases.entries()) results[i]!.push(await child(c.job, c.flags));
    }

    console.log(
      `500 symbols × 21 sessions (${results[0]![0]!.bars.toLocaleString("en-US")} bars) + SMA-50, EMA-20, RSI-14, each run in its own process (2 runs each, interleaved: the higher peak RSS, the better bars/s)`,
    );
    console.table([
      { case: "bare node", "peak RSS": mb(bare.maxRssMb) },
      { case: "node + tsx loader (how these children run)", "peak RSS": mb(withTsx.maxRssMb) },
      { case: "open the store only", "peak RSS": mb(opened.maxRssMb) },
      ...cases.map((c, i) => {
        const rs = results[i]!;
        const top = (f: (r: ChildResult) => number) => Math.max(...rs.map(f));
        const tags = rs.find((r) => r.duckDbMb === top((x) => x.duckDbMb))!.duckDbTags;
        return {
          case: c.name,
          "peak RSS": mb(top((r) => r.maxRssMb)),
          "bars/s": rate(top((r) => r.barsPerSecond)),
          "bars/CPU s": rate(top((r) => r.barsPerCpuSecond)),
          "JS heap": mb(top((r) => r.heapMb)),
          "array buffers": mb(top((r) => r.arrayBuffersMb)),
          DuckDB: `${mb(top((r) => r.duckDbMb))} (${Object.entries(tags)
            .map(([k, v]) => `${k} ${v}`)
            .join(", ")})`,
          "DuckDB spilled": mb(top((r) => r.duckDbTempMb)),
        };
      }),
    ]);
    const rss = (i: number) => Math.max(...results[i]!.map((r) => r.maxRssMb));
    const speed = (i: number) => Math.max(...results[i]!.map((r) => r.barsPerSecond));
    const perCpu = (i: number) => Math.max(...results[i]!.map((r) => r.barsPerCpuSecond));
    console.log(
      `the store's defaults vs before: peak RSS ${mb(rss(1))} vs ${mb(rss(0))} (goal ≤ 250 MB), bars/s ${(speed(1) / speed(0)).toFixed(2)}×, bars/CPU s ${(perCpu(1) / perCpu(0)).toFixed(2)}×`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.env[CHILD_ENV] !== undefined) await childMain();
