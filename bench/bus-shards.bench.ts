/**
 * `npm run bench -- bus-shards` (also part of `-- bus`): the sharded replay (`backtest
 * --shards`), 400 symbols × 5 XNYS sessions in a temp DuckDB file, 1 vs 2 worker processes
 * beside the unsharded in-process run, with each shard's phases (start-up, store open, replay,
 * answer, merge), the workers run through tsx and compiled (as a built package runs them).
 * `BUS_BENCH_SHARD_SYMBOLS`, `BUS_BENCH_SHARD_THREADS=default` (DuckDB's own thread count in
 * each worker), `BUS_BENCH_SHARD_BUILD=0` (no compiled workers).
 */

import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { DuckDbBarStore, generateSampleBars } from "../src/history/public.js";
import { duckDbThreadsPerShard } from "../src/system/shard-duckdb-threads.js";
import { epochNow } from "../src/system/shard-job.js";
import { runShardedBacktest, runShardInProcess } from "../src/system/sharded-backtest.js";
import { SystemManager } from "../src/system/system-manager.js";

function fmt(n: number, digits = 0): string {
  return n.toLocaleString("en-US", { maximumFractionDigits: digits });
}

/** The sharded runner's two entry points, from the sources or from a build. */
interface ShardCode {
  runShardedBacktest: typeof runShardedBacktest;
  runShardInProcess: typeof runShardInProcess;
}

/** Compiles `src/` (as `npm run build` does) into a temp folder of the checkout; its path. */
async function buildSources(): Promise<string> {
  const root = join(dirname(fileURLToPath(import.meta.url)), "..");
  mkdirSync(join(root, ".tmp"), { recursive: true });
  // Inside the checkout, so the build resolves the checkout's node_modules.
  const out = join(mkdtempSync(join(root, ".tmp", "bench-build-")), "dist");
  const t0 = performance.now();
  execFileSync(
    process.execPath,
    [
      join(root, "node_modules", "typescript", "bin", "tsc"),
      "-p",
      "tsconfig.build.json",
      "--outDir",
      out,
    ],
    { cwd: root, stdio: "inherit" },
  );
  console.log(
    `(built the sources for the worker figures in ${fmt((performance.now() - t0) / 1000, 1)} s)`,
  );
  return out;
}

async function shardedReplay(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "sd-bench-shards-"));
  const dbPath = join(dir, "shards.duckdb");
  try {
    const symbolCount = Number(process.env.BUS_BENCH_SHARD_SYMBOLS ?? 400);
    const gen = await DuckDbBarStore.open(dbPath);
    await generateSampleBars(gen, {
      symbols: symbolCount,
      from: "2024-01-02",
      to: "2024-01-08",
      seed: 1,
    });
    const symbols = await gen.symbols();
    await gen.close();
    const backtest = { from: "2024-01-02", to: "2024-01-08" };
    const inProcess = async (): Promise<number> => {
      const store = await DuckDbBarStore.open(dbPath, { readOnly: true });
      const system = new SystemManager({ barStore: store });
      await system.start();
      const t0 = performance.now();
      const r = await system.dataManager.createBacktest({ ...backtest, symbols }).run();
      const ms = performance.now() - t0;
      await system.stop();
      await store.close();
      return (r.bars / ms) * 1000;
    };
    // Wall clock including process start, the replay phase alone (the slowest shard's own
    // wallMs), and where the rest went: each shard's fork → job received (process start, module
    // load), job → store open, replay, replay end → parent has the answer (stop, close, IPC),
    // last answer → merged (the parent's merge).
    const phases = new Map<string, Record<string, number>>();
    const sharded = async (
      shards: number,
      code: ShardCode,
      tag: string,
    ): Promise<[number, number]> => {
      let slowest = 0;
      const p = { start: 0, open: 0, replay: 0, answer: 0, merge: 0 };
      let lastAnswer = 0;
      const t0 = performance.now();
      const r = await code.runShardedBacktest({
        dbPath,
        calendar: "XNYS",
        symbols,
        shards,
        backtest,
        // What a local `--shards` run does (this wrapper makes the runner look remote to it);
        // BUS_BENCH_SHARD_THREADS=default keeps DuckDB's one thread per core in each worker.
        ...(process.env.BUS_BENCH_SHARD_THREADS === "default"
          ? {}
          : { duckdbThreads: duckDbThreadsPerShard(shards, availableParallelism()) }),
        runShard: async (job, i) => {
          const forked = epochNow();
          const result = await code.runShardInProcess(job, i);
          const answered = epochNow();
          lastAnswer = Math.max(lastAnswer, answered);
          slowest = Math.max(slowest, result.report.wallMs);
          const t = result.timings!;
          p.start = Math.max(p.start, t.jobReceived - forked);
          p.open = Math.max(p.open, t.storeOpen - t.jobReceived);
          p.replay = Math.max(p.replay, t.replayDone - t.storeOpen);
          p.answer = Math.max(p.answer, answered - t.replayDone);
          return result;
        },
      });
      p.merge = epochNow() - lastAnswer;
      const wall = performance.now() - t0;
      const key = `${shards} (${tag})`;
      const previous = phases.get(key);
      if (previous === undefined || previous.wall! > wall) phases.set(key, { ...p, wall });
      return [(r.bars / wall) * 1000, (r.bars / slowest) * 1000];
    };
    const best = async (f: () => Promise<[number, number]>): Promise<[number, number]> => {
      const [a1, b1] = await f();
      const [a2, b2] = await f();
      return [Math.max(a1, a2), Math.max(b1, b2)];
    };
    const plain = await best(async () => {
      const r = await inProcess();
      return [r, r];
    });
    const sources: ShardCode = { runShardedBacktest, runShardInProcess };
    const one = await best(() => sharded(1, sources, "tsx worker"));
    const two = await best(() => sharded(2, sources, "tsx worker"));
    const rows = [
      { run: "unsharded, in process (baseline)", wall: plain[0], replay: plain[1] },
      { run: "--shards 1 (one worker process, tsx)", wall: one[0], replay: one[1] },
      { run: "--shards 2 (two worker processes, tsx, ours)", wall: two[0], replay: two[1] },
    ];
    // A built package's workers run compiled JavaScript (no tsx loader, no compile).
    const built = process.env.BUS_BENCH_SHARD_BUILD === "0" ? undefined : await buildSources();
    let builtRatio = "";
    try {
      if (built !== undefined) {
        const code = (await import(
          pathToFileURL(join(built, "system", "sharded-backtest.js")).href
        )) as ShardCode;
        const b1 = await best(() => sharded(1, code, "built worker"));
        const b2 = await best(() => sharded(2, code, "built worker"));
        rows.push(
          { run: "--shards 1 (built worker)", wall: b1[0], replay: b1[1] },
          { run: "--shards 2 (built workers, ours)", wall: b2[0], replay: b2[1] },
        );
        builtRatio = `; built workers: ${fmt(b2[0] / b1[0], 2)}× by wall clock, ${fmt(b2[1] / b1[1], 2)}× in the replay phase`;
      }
    } finally {
      if (built !== undefined) rmSync(dirname(built), { recursive: true, force: true });
    }
    console.log(
      `\nsharded replay: ${symbolCount} symbols × 5 XNYS sessions, indicators on (best of 2), DuckDB threads per worker: ${process.env.BUS_BENCH_SHARD_THREADS === "default" ? "default" : "cores / shards"}`,
    );
    console.table(
      rows.map((r) => ({
        run: r.run,
        "bars/s wall": fmt(r.wall),
        "bars/s replay phase": fmt(r.replay),
      })),
    );
    console.log("phases of the faster run, ms (the slowest shard's; the parent's merge)");
    console.table(
      [...phases].map(([shards, p]) => ({
        shards,
        "fork → job (start, modules)": fmt(p.start!),
        "job → store open": fmt(p.open!),
        replay: fmt(p.replay!),
        "replay end → answer": fmt(p.answer!),
        merge: fmt(p.merge!),
        wall: fmt(p.wall!),
      })),
    );
    console.log(
      `2 shards = ${fmt(two[0] / one[0], 2)}× 1 shard by wall clock (process start included), ${fmt(two[1] / one[1], 2)}× in the replay phase, tsx workers${builtRatio} (goal ≥ 1.7× on 2 cores; load average now ${loadavg()[0]!.toFixed(1)})`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs the sharded-replay figure (skipped with `BUS_BENCH_ONLY=latency`). */
export async function run(): Promise<void> {
  if (process.env.BUS_BENCH_ONLY === "latency") return;
  await shardedReplay();
}
