/**
 * One shard of a sharded backtest: what a worker is asked to do and what it answers, and the
 * code that does it (the same in a local worker process and in a remote `--bus` worker).
 */
import { calendarByName } from "../calendar/calendar-names.js";
import type { Bar } from "../domain/bar.js";
import { DuckDbBarStore } from "../history/duckdb/duckdb-bar-store.js";
import type { BacktestReport } from "../stream/backtest-types.js";
import type { CreateBacktestOptions } from "./data-manager.js";
import { SystemManager } from "./system-manager.js";

/** A shard's job: its symbols and everything else the unsharded run would use. */
export interface ShardJob {
  /** The DuckDB file, opened read-only (on a remote host: the path there). */
  readonly dbPath: string;
  /** The calendar's name (`calendarByName`). */
  readonly calendar: string;
  readonly indicators?: readonly string[];
  readonly extendedHours?: boolean;
  /** This shard's symbols. */
  readonly symbols: readonly string[];
  /**
   * DuckDB threads of a local worker process (its share of the cores; see
   * `shard-duckdb-threads.ts`). Unset: DuckDB's default (one per core), as on a remote host.
   */
  readonly duckdbThreads?: number;
  /** The backtest's options (JSON-safe: no store, clock or listeners). */
  readonly backtest: Omit<
    CreateBacktestOptions,
    "symbols" | "barStore" | "sessionData" | "calendar" | "upkeep" | "wallClock" | "analysisEngine"
  >;
}

/** What a shard answers: its report plus what the merge needs that a report sums away. */
export interface ShardResult {
  readonly report: BacktestReport;
  /** The minutes (epoch ms, ascending) that had a replayed bar: the union is the run's slices. */
  readonly minutes: number[];
  /** The sessions that had a bar: the union is the run's sessions. */
  readonly sessions: string[];
  /** Where the shard's time went (for the bench and `--json` diagnostics; not merged). */
  readonly timings?: ShardTimings;
}

/**
 * Instants of one shard's run, epoch ms (`performance.timeOrigin + performance.now()`), so a
 * parent on the same host can line them up with its own: the process's start, the job's
 * arrival (start-up and module load before it), the store open, the replay's end.
 */
export interface ShardTimings {
  readonly processStart: number;
  readonly jobReceived: number;
  readonly storeOpen: number;
  readonly replayDone: number;
}

/** Now, epoch ms, comparable across processes on one host. */
export function epochNow(): number {
  return performance.timeOrigin + performance.now();
}

/** One minute of one shard: its bars as `[symbol, bar]` in symbol order. */
export interface ShardSlice {
  readonly time: number;
  readonly bars: readonly (readonly [string, Bar])[];
}

/** Slices a shard sends at once (fewer, larger IPC messages). */
const SLICE_BATCH = 256;

/**
 * Runs one shard in this process: its own read-only store, SessionData and AnalysisEngine.
 * With `onSlices`, its slices go out in time order, in batches, as the replay makes them.
 */
export async function runShardJob(
  job: ShardJob,
  onSlices?: (slices: ShardSlice[]) => void,
): Promise<ShardResult> {
  const jobReceived = epochNow();
  const calendar = calendarByName(job.calendar);
  const barStore = await DuckDbBarStore.open(job.dbPath, { readOnly: true });
  const storeOpen = epochNow();
  try {
    const system = new SystemManager({
      calendar,
      barStore,
      ...(job.indicators === undefined ? {} : { indicators: job.indicators }),
      ...(job.extendedHours === undefined ? {} : { extendedHours: job.extendedHours }),
    });
    await system.start();
    const minutes: number[] = [];
    const sessions: string[] = [];
    let last = Number.NaN;
    // Replayed bars arrive in time order; refills (upkeep) are older and not slices of their own.
    const off = system.sessionData.subscribeBars({
      onBar(_s, t, _o, _h, _l, _c, _v, _a, _r, _d, provenance) {
        if (provenance === "replay" && !(t <= last)) {
          minutes.push(t);
          last = t;
        }
      },
    });
    const replay = system.dataManager.createBacktest({ ...job.backtest, symbols: job.symbols });
    replay.on("sessionStart", ({ date }) => sessions.push(date));
    let batch: ShardSlice[] = [];
    if (onSlices !== undefined) {
      replay.on("slice", ({ time, bars }) => {
        batch.push({ time, bars: [...bars] });
        if (batch.length >= SLICE_BATCH) {
          onSlices(batch);
          batch = [];
        }
      });
    }
    try {
      const report = await replay.run();
      if (onSlices !== undefined && batch.length > 0) onSlices(batch);
      const timings = {
        processStart: performance.timeOrigin,
        jobReceived,
        storeOpen,
        replayDone: epochNow(),
      };
      return { report, minutes, sessions, timings };
    } finally {
      off();
      await system.stop();
    }
  } finally {
    await barStore.close();
  }
}
