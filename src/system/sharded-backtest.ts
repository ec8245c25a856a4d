import { type ChildProcess, fork } from "node:child_process";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import type { Bar } from "../domain/bar.js";
import { InvalidArgumentError, SessiondataError } from "../domain/errors.js";
import type { BacktestReport, SliceEvent, SymbolReport } from "../stream/backtest-types.js";
import { duckDbThreadsPerShard } from "./shard-duckdb-threads.js";
import type { ShardJob, ShardResult, ShardSlice } from "./shard-job.js";

/** Options of {@link runShardedBacktest}: one {@link ShardJob} for all symbols, split N ways. */
export interface ShardedBacktestOptions extends Omit<ShardJob, "symbols"> {
  /** Every symbol of the run (the unsharded run's `symbols`). */
  readonly symbols: readonly string[];
  /** Worker processes (≥ 1; more than symbols is trimmed to one per symbol). */
  readonly shards: number;
  /**
   * Runs one shard's job somewhere and resolves with its result; default: a local worker
   * process (`shard-worker.ts`). The `--bus` mode passes one that sends the job over NATS.
   */
  readonly runShard?: (job: ShardJob, index: number) => Promise<ShardResult>;
  /**
   * Hears the run's slices as the unsharded replay would send them: one per minute, in time
   * order, its bars from every shard merged in symbol order. Local shards only (not with
   * `runShard`). Shards run ahead of a slow listener: their slices wait in memory here.
   */
  readonly onSlice?: (slice: SliceEvent) => void;
  /**
   * Local workers forked ahead ({@link forkShardWorkers}), used in order for the shards; any
   * left over (more than shards, or a `runShard` given) are ended. Missing ones are forked.
   */
  readonly workers?: readonly ChildProcess[];
}

/** A shard that failed: which one, and why. */
export class ShardError extends SessiondataError {
  constructor(
    readonly shard: number,
    reason: string,
  ) {
    super(`shard ${shard} failed: ${reason}`);
  }
}

/** Symbols dealt round-robin over `n` shards in sorted order, so each gets a like mix. */
export function partitionSymbols(symbols: readonly string[], n: number): string[][] {
  const sorted = [...new Set(symbols)].sort();
  const count = Math.max(1, Math.min(n, sorted.length));
  const out: string[][] = Array.from({ length: count }, () => []);
  for (let i = 0; i < sorted.length; i++) out[i % count]!.push(sorted[i]!);
  return out;
}

/**
 * Forks one local worker process (`shard-worker.ts`; the TypeScript sources run through tsx,
 * a build runs its JavaScript). It loads its modules and waits for a job: forked ahead of
 * {@link runShardedBacktest} (its `workers`), its start-up overlaps the caller's planning.
 */
export function forkShardWorker(): ChildProcess {
  const url = new URL(
    import.meta.url.endsWith(".ts") ? "./shard-worker.ts" : "./shard-worker.js",
    import.meta.url,
  );
  const child = fork(fileURLToPath(url), [], {
    execArgv: import.meta.url.endsWith(".ts") ? ["--import", "tsx"] : [],
    stdio: ["ignore", "ignore", "inherit", "ipc"],
    serialization: "advanced",
  });
  // A worker waiting for its job may fail alone (it then has an exit code, which
  // runShardInProcess reports); an unheard `error` event would throw in this process.
  child.on("error", () => undefined);
  return child;
}

/** `n` workers forked now, each waiting for a job (see {@link forkShardWorker}). */
export function forkShardWorkers(n: number): ChildProcess[] {
  return Array.from({ length: n }, () => forkShardWorker());
}

/** Ends the workers of `workers` that never got a job (a worker that got one exits by itself). */
export function releaseShardWorkers(workers: readonly ChildProcess[] | undefined): void {
  for (const w of workers ?? []) {
    if (w.exitCode === null && w.signalCode === null && !jobbed.has(w)) w.kill();
  }
}

/** Workers that were sent a job. */
const jobbed = new WeakSet<ChildProcess>();

/** Runs `job` in a local worker process: `child` (forked ahead) or one forked now. */
export function runShardInProcess(
  job: ShardJob,
  index: number,
  onSlices?: (slices: ShardSlice[]) => void,
  child: ChildProcess = forkShardWorker(),
): Promise<ShardResult> {
  jobbed.add(child);
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.reject(
      new ShardError(index, `worker exited (${child.signalCode ?? child.exitCode}) before its job`),
    );
  }
  return new Promise((resolve, reject) => {
    let answered = false;
    child.on("message", (m: { result?: ShardResult; error?: string; slices?: ShardSlice[] }) => {
      if (m.slices !== undefined) {
        onSlices?.(m.slices);
        return;
      }
      answered = true;
      if (m.result !== undefined) resolve(m.result);
      else reject(new ShardError(index, m.error ?? "no answer"));
    });
    child.once("error", (e) => reject(new ShardError(index, e.message)));
    child.once("exit", (code, signal) => {
      if (!answered)
        reject(new ShardError(index, `worker exited (${signal ?? code}) without an answer`));
    });
    child.send({ job, slices: onSlices !== undefined });
  });
}

/**
 * A backtest split over worker processes by symbol: each shard has its own read-only store
 * reader, SessionData and AnalysisEngine, and the shards' reports merge into the one the
 * unsharded run gives, byte for byte but for `wallMs` and `barsPerSecond`: symbols in sorted
 * order, bars summed, sessions and slices the unions of the shards' (a minute is one slice
 * however many shards had a bar in it), upkeep counters summed, qualities recomputed.
 *
 * Symbols are independent in a replay (metrics, indicators and gap repair are per symbol), which
 * is what makes this exact; `dropRate` is not (its generator runs over the whole stream), so it
 * is refused.
 *
 * @example
 * ```ts
 * const report = await runShardedBacktest({
 *   dbPath: "sessiondata.duckdb", calendar: "XNYS", symbols, shards: 2,
 *   backtest: { from: "2024-01-02", to: "2024-01-31" },
 * });
 * ```
 */
export async function runShardedBacktest(options: ShardedBacktestOptions): Promise<BacktestReport> {
  if (!Number.isInteger(options.shards) || options.shards < 1) {
    throw new InvalidArgumentError(`--shards must be an integer >= 1, got ${options.shards}`);
  }
  if ((options.backtest.dropRate ?? 0) > 0) {
    throw new InvalidArgumentError(
      `--drop-rate ${options.backtest.dropRate} cannot be sharded: its seeded generator runs over the whole stream`,
    );
  }
  if (options.backtest.speed !== undefined && options.backtest.speed !== "max") {
    throw new InvalidArgumentError(
      `a sharded backtest runs at --speed max, got ${options.backtest.speed}`,
    );
  }
  if (options.onSlice !== undefined && options.runShard !== undefined) {
    throw new InvalidArgumentError("slices are merged from local shards only (not with --bus)");
  }
  const start = performance.now();
  const { shards: _n, runShard, symbols, onSlice, workers, ...base } = options;
  const parts = partitionSymbols(symbols, options.shards);
  const ahead = runShard === undefined ? (workers ?? []).slice(0, parts.length) : [];
  releaseShardWorkers((workers ?? []).filter((w) => !ahead.includes(w)));
  const merger = onSlice === undefined ? undefined : new SliceMerger(parts.length, onSlice);
  const results = await Promise.all(
    parts.map((part, i) => {
      const job: ShardJob = {
        ...base,
        // Local workers share this host's cores; a remote worker's host is its own.
        ...(runShard === undefined && base.duckdbThreads === undefined
          ? { duckdbThreads: duckDbThreadsPerShard(parts.length, availableParallelism()) }
          : {}),
        symbols: part,
      };
      if (runShard !== undefined) return runShard(job, i);
      const child = ahead[i] ?? forkShardWorker();
      if (merger === undefined) return runShardInProcess(job, i, undefined, child);
      return runShardInProcess(job, i, (slices) => merger.push(i, slices), child).then((r) => {
        merger.done(i);
        return r;
      });
    }),
  );
  return mergeShardResults(results, performance.now() - start);
}

/** Merges shard results into one report (see {@link runShardedBacktest}). */
export function mergeShardResults(results: readonly ShardResult[], wallMs: number): BacktestReport {
  const minutes = new Set<number>();
  const sessions = new Set<string>();
  const symbols: [string, SymbolReport][] = [];
  let bars = 0;
  let stopped = false;
  for (const r of results) {
    for (const m of r.minutes) minutes.add(m);
    for (const s of r.sessions) sessions.add(s);
    bars += r.report.bars;
    if (r.report.stopped) stopped = true;
    for (const entry of Object.entries(r.report.symbols)) symbols.push(entry);
  }
  symbols.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const upkeep = mergeUpkeep(results.map((r) => r.report.upkeep));
  return {
    sessions: sessions.size,
    slices: minutes.size,
    bars,
    wallMs,
    barsPerSecond: wallMs > 0 ? bars / (wallMs / 1000) : 0,
    ...(stopped ? { stopped: true } : {}),
    symbols: Object.fromEntries(symbols),
    ...(upkeep === undefined ? {} : { upkeep }),
  };
}

/** Counters every shard counts once for the whole run (the same in each), not per symbol. */
const SHARED_COUNTERS = new Set(["runs", "sessions"]);

function mergeUpkeep(
  reports: readonly (Readonly<Record<string, unknown>> | undefined)[],
): Record<string, unknown> | undefined {
  const present = reports.filter((r): r is Readonly<Record<string, unknown>> => r !== undefined);
  if (present.length === 0) return undefined;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(present[0]!)) {
    const values = present.map((r) => r[key]);
    if (key === "unfillableGaps") {
      const gaps = values.flatMap((v) => (Array.isArray(v) ? v : [])) as {
        start: number;
        symbol: string;
      }[];
      gaps.sort(
        (a, b) => a.start - b.start || (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0),
      );
      out[key] = gaps.slice(0, 100);
    } else if (key === "minQuality") out[key] = Math.min(...(values as number[]));
    else if (key === "finalQuality")
      out[key] = Number.NaN; // recomputed below
    else if (SHARED_COUNTERS.has(key)) out[key] = Math.max(...(values as number[]));
    else if (values.every((v) => typeof v === "number")) {
      out[key] = (values as number[]).reduce((a, b) => a + b, 0);
    } else out[key] = values[0];
  }
  if ("finalQuality" in out) {
    const expected = out.expectedBars as number;
    const presentBars = out.presentBars as number;
    out.finalQuality = expected === 0 ? 100 : (presentBars / expected) * 100;
  }
  return out;
}

/**
 * Merges the shards' slice streams (each in time order) into one: minute t goes out once every
 * shard still running has sent a slice at or after t, with every shard's bars of t in symbol
 * order, so a listener sees each minute once and whole.
 */
export class SliceMerger {
  readonly #queues: ShardSlice[][];
  readonly #heads: number[];
  readonly #done: boolean[];
  readonly #emit: (slice: SliceEvent) => void;

  constructor(shards: number, emit: (slice: SliceEvent) => void) {
    this.#queues = Array.from({ length: shards }, () => []);
    this.#heads = new Array<number>(shards).fill(0);
    this.#done = new Array<boolean>(shards).fill(false);
    this.#emit = emit;
  }

  /** Shard `shard`'s next slices (in time order). */
  push(shard: number, slices: readonly ShardSlice[]): void {
    this.#queues[shard]!.push(...slices);
    this.#drain();
  }

  /** Shard `shard` sent its last slice. */
  done(shard: number): void {
    this.#done[shard] = true;
    this.#drain();
  }

  #drain(): void {
    const queues = this.#queues;
    const heads = this.#heads;
    for (;;) {
      let t = Number.POSITIVE_INFINITY;
      for (let s = 0; s < queues.length; s++) {
        const head = queues[s]![heads[s]!];
        if (head === undefined) {
          if (!this.#done[s]) return; // this shard may still send an earlier minute
          continue;
        }
        if (head.time < t) t = head.time;
      }
      if (t === Number.POSITIVE_INFINITY) return;
      const entries: (readonly [string, Bar])[] = [];
      for (let s = 0; s < queues.length; s++) {
        const head = queues[s]![heads[s]!];
        if (head === undefined || head.time !== t) continue;
        entries.push(...head.bars);
        heads[s]!++;
        if (heads[s]! > 1024) {
          queues[s]!.splice(0, heads[s]!);
          heads[s] = 0;
        }
      }
      entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      this.#emit({ time: t, bars: new Map(entries) });
    }
  }
}
