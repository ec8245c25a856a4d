import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { DuckDbBarStore, generateSampleBars } from "../history/public.js";
import { runShardJob, type ShardSlice } from "./shard-job.js";
import { runShardedBacktest, SliceMerger } from "./sharded-backtest.js";

const dir = mkdtempSync(join(tmpdir(), "sessiondata-shard-slices-"));
const dbPath = join(dir, "bars.duckdb");
let symbols: string[] = [];
beforeAll(async () => {
  const store = await DuckDbBarStore.open(dbPath);
  await generateSampleBars(store, {
    symbols: 5,
    from: "2024-01-02",
    to: "2024-01-03",
    seed: 5,
    missingRate: 0.05,
  });
  symbols = await store.symbols();
  await store.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it("a sharded run's merged slices equal the unsharded run's: each minute once, bars in symbol order", async () => {
  const backtest = { from: "2024-01-02", to: "2024-01-03" };
  const expected: ShardSlice[] = [];
  await runShardJob({ dbPath, calendar: "XNYS", symbols, backtest }, (s) => expected.push(...s));
  const got: ShardSlice[] = [];
  await runShardedBacktest({
    dbPath,
    calendar: "XNYS",
    symbols,
    shards: 3,
    backtest,
    onSlice: ({ time, bars }) => got.push({ time, bars: [...bars] }),
  });
  expect(got.length, "one slice per minute").toBe(expected.length);
  expect(got, "the same minutes, bars and order").toEqual(expected);
}, 120_000);

it("SliceMerger waits for a shard that may still send an earlier minute", () => {
  const out: number[] = [];
  const m = new SliceMerger(2, (s) => out.push(s.time));
  const bar = { time: 0, open: 1, high: 1, low: 1, close: 1, volume: 1 };
  m.push(0, [
    { time: 60_000, bars: [["A", bar]] },
    { time: 120_000, bars: [["A", bar]] },
  ]);
  expect(out, "shard 1 has said nothing yet").toEqual([]);
  m.push(1, [{ time: 120_000, bars: [["B", bar]] }]);
  expect(out, "both shards are at 120,000 or later: 60,000 and 120,000 are whole").toEqual([
    60_000, 120_000,
  ]);
  m.push(0, [{ time: 180_000, bars: [["A", bar]] }]);
  expect(out, "shard 1 may still send 180,000").toEqual([60_000, 120_000]);
  m.done(1);
  m.done(0);
  expect(out).toEqual([60_000, 120_000, 180_000]);
});
