import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect } from "vitest";
import { NATS_TEST_URL, nats, requiring } from "../../test/requirements.js";
import { DuckDbBarStore, generateSampleBars } from "../history/public.js";
import { busShardRunner, serveShardJobs } from "./bus-shards.js";
import { runShardJob } from "./shard-job.js";
import { runShardedBacktest } from "./sharded-backtest.js";

const dir = mkdtempSync(join(tmpdir(), "sessiondata-bus-shards-"));
const dbPath = join(dir, "bars.duckdb");
const subject = `t.shards.${process.pid}.${Date.now().toString(36)}`;
let symbols: string[] = [];

beforeAll(async () => {
  const store = await DuckDbBarStore.open(dbPath);
  await generateSampleBars(store, {
    symbols: 6,
    from: "2024-01-02",
    to: "2024-01-03",
    seed: 3,
    missingRate: 0.01,
  });
  symbols = await store.symbols();
  await store.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const backtest = { from: "2024-01-02", to: "2024-01-03" };
function withoutTimings(report: object): string {
  const { wallMs: _w, barsPerSecond: _b, ...rest } = report as Record<string, unknown>;
  return JSON.stringify(rest);
}

const server = await nats();

requiring(server).it("--bus without a worker: a ShardError saying how to start one", async () => {
  const remote = await busShardRunner(NATS_TEST_URL, { subject: `${subject}.none` });
  try {
    await expect(
      runShardedBacktest({
        dbPath,
        calendar: "XNYS",
        symbols,
        shards: 2,
        backtest,
        runShard: remote.runShard,
      }),
    ).rejects.toThrow(/no shard worker listens .* start `sessiondata shard-worker --bus/);
  } finally {
    await remote.close();
  }
});

requiring(server).it(
  "shards sent over NATS to shard workers give the unsharded report but for timings",
  async () => {
    const workers = [
      await serveShardJobs({ servers: NATS_TEST_URL, dbPath, subject }),
      await serveShardJobs({ servers: NATS_TEST_URL, dbPath, subject }),
    ];
    const remote = await busShardRunner(NATS_TEST_URL, { subject });
    try {
      const sharded = await runShardedBacktest({
        dbPath: "/path/on/the/parent/is/replaced/by/the/worker's/--db",
        calendar: "XNYS",
        symbols,
        shards: 3,
        backtest,
        runShard: remote.runShard,
      });
      const plain = (await runShardJob({ dbPath, calendar: "XNYS", symbols, backtest })).report;
      expect(withoutTimings(sharded), "sharded over the bus = unsharded").toBe(
        withoutTimings(plain),
      );
    } finally {
      await remote.close();
      for (const w of workers) await w.stop();
    }
  },
  120_000,
);
