import { DuckDBInstance } from "@duckdb/node-api";
import { expect, it } from "vitest";
import { duckDbThreadsPerShard, limitDuckDbThreads } from "./shard-duckdb-threads.js";

async function threadsOf(instance: DuckDBInstance): Promise<number> {
  const connection = await instance.connect();
  try {
    const reader = await connection.runAndReadAll("SELECT current_setting('threads') AS t");
    return Number(reader.getRowObjects()[0]!.t);
  } finally {
    connection.closeSync();
  }
}

it("shares the cores out: one DuckDB thread each for two workers on two cores", () => {
  expect(duckDbThreadsPerShard(1, 2)).toBe(2);
  expect(duckDbThreadsPerShard(2, 2)).toBe(1);
  expect(duckDbThreadsPerShard(3, 2), "never below one").toBe(1);
  expect(duckDbThreadsPerShard(2, 8)).toBe(4);
});

it("makes every DuckDB instance the process creates afterwards use that many threads", async () => {
  const before = await DuckDBInstance.create(":memory:");
  const defaultThreads = await threadsOf(before);
  before.closeSync();
  const restore = limitDuckDbThreads(1);
  try {
    const one = await DuckDBInstance.create(":memory:", { access_mode: "AUTOMATIC" });
    expect(await threadsOf(one)).toBe(1);
    one.closeSync();
    limitDuckDbThreads(3);
    const three = await DuckDBInstance.create(":memory:");
    expect(await threadsOf(three), `was ${defaultThreads} before the limit`).toBe(3);
    three.closeSync();
  } finally {
    restore();
  }
  const after = await DuckDBInstance.create(":memory:");
  expect(await threadsOf(after), "restored").toBe(defaultThreads);
  after.closeSync();
});
