import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { DuckDbBarStore, generateSampleBars } from "../history/public.js";
import { runShardJob } from "./shard-job.js";
import {
  forkShardWorkers,
  mergeShardResults,
  releaseShardWorkers,
  runShardedBacktest,
} from "./sharded-backtest.js";

const dir = mkdtempSync(join(tmpdir(), "sessiondata-shards-ahead-"));
const dbPath = join(dir, "bars.duckdb");
let symbols: string[] = [];
beforeAll(async () => {
  const store = await DuckDbBarStore.open(dbPath);
  await generateSampleBars(store, { symbols: 3, from: "2024-01-02", to: "2024-01-02", seed: 3 });
  symbols = await store.symbols();
  await store.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it("workers forked ahead run the shards (the same report); the ones left over are ended", async () => {
  const backtest = { from: "2024-01-02", to: "2024-01-02" };
  const job = { dbPath, calendar: "XNYS", symbols, backtest };
  const {
    wallMs: _w,
    barsPerSecond: _b,
    ...expected
  } = mergeShardResults([await runShardJob(job)], 1);
  // Four forked for two shards: two get a job, two are spare.
  const workers = forkShardWorkers(4);
  const exits = workers.map((w) => once(w, "exit"));
  const report = await runShardedBacktest({ ...job, shards: 2, workers });
  const { wallMs: _w2, barsPerSecond: _b2, ...got } = report;
  expect(got).toEqual(expected);
  const codes = await Promise.all(exits);
  expect(
    codes.map(([code, signal]) => signal ?? code),
    "two answered and exited, two were ended unused",
  ).toEqual([0, 0, "SIGTERM", "SIGTERM"]);
}, 120_000);

it("releaseShardWorkers ends workers that never got a job; a dead one fails its shard by name", async () => {
  const workers = forkShardWorkers(1);
  const exited = once(workers[0]!, "exit");
  releaseShardWorkers(workers);
  expect((await exited)[1]).toBe("SIGTERM");
  await expect(
    runShardedBacktest({
      dbPath,
      calendar: "XNYS",
      symbols,
      shards: 1,
      backtest: { from: "2024-01-02", to: "2024-01-02" },
      workers,
    }),
  ).rejects.toThrow(/shard 0 failed: worker exited \(SIGTERM\) before its job/);
}, 60_000);
