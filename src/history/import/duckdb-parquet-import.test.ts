import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { describe, expect, it } from "vitest";
import { sameOnBothPaths } from "./fast-path.test-helpers.js";
import { tempFiles } from "./import-test-support.test-helpers.js";

const { dir } = tempFiles("fast-parquet");

/** Writes a Parquet file with DuckDB's COPY from a SELECT of 40 rows (`i` from 0). */
async function parquet(name: string, select: string): Promise<string> {
  const path = join(dir, name);
  const instance = await DuckDBInstance.create(":memory:");
  const c = await instance.connect();
  await c.run(`COPY (${select} FROM range(40) t(i)) TO '${path}' (FORMAT parquet)`);
  c.closeSync();
  instance.closeSync();
  return path;
}

const TS = "TIMESTAMP '2024-01-02 14:30:00' + INTERVAL (i) MINUTE";
const PRICES =
  "10.25 + i / 100 AS open, 10.5 + i / 100 AS high, 10.0 + i / 100 AS low, 10.3 + i / 100 AS close";

describe("the DuckDB Parquet path imports what parquet.ts imports, the same way", () => {
  it.each([
    ["naive TIMESTAMP", `SELECT ${TS} AS ts, ${PRICES}, 100 + i AS volume`, {}],
    ["TIMESTAMPTZ, no volume", `SELECT (${TS})::TIMESTAMPTZ AS time, ${PRICES}`, {}],
    ["epoch ms BIGINT", `SELECT epoch_ms(${TS}) AS t, ${PRICES}, i AS v`, {}],
    [
      "epoch s DOUBLE, end-stamped, scaled",
      `SELECT epoch(${TS})::DOUBLE AS t, ${PRICES}, i AS v`,
      { stamp: "end", priceScale: 100 },
    ],
    [
      "DECIMAL and FLOAT prices",
      `SELECT ${TS} AS ts, (10.25 + i / 100)::DECIMAL(10, 4) AS open, (10.5 + i / 100)::FLOAT AS high, 10.0 + i / 100 AS low, 10.3 + i / 100 AS close, 1 AS volume`,
      {},
    ],
    [
      "repeated and earlier times",
      `SELECT TIMESTAMP '2024-01-02 14:30:00' + INTERVAL (i % 25) MINUTE AS ts, ${PRICES}, i AS volume`,
      {},
    ],
  ] as const)("%s", async (name, select, options) => {
    const path = await parquet(`${name.replace(/\W+/g, "-")}.parquet`, select);
    expect(await sameOnBothPaths(path, options)).toEqual(["imported"]);
  });

  it.each([
    [
      "a NULL price",
      `SELECT ${TS} AS ts, CASE WHEN i = 17 THEN NULL ELSE 10.25 END AS open, 10.5 AS high, 10.0 AS low, 10.3 AS close, 1 AS volume`,
    ],
    [
      "a NULL time",
      `SELECT CASE WHEN i = 17 THEN NULL ELSE ${TS} END AS ts, ${PRICES}, 1 AS volume`,
    ],
    [
      "high below low",
      `SELECT ${TS} AS ts, 10.25 AS open, CASE WHEN i = 17 THEN 1 ELSE 10.5 END AS high, 10.0 AS low, 10.3 AS close, 1 AS volume`,
    ],
    [
      "a time off the minute",
      `SELECT ${TS} + CASE WHEN i = 17 THEN INTERVAL 5 SECOND ELSE INTERVAL 0 SECOND END AS ts, ${PRICES}, 1 AS volume`,
    ],
    [
      "a negative volume",
      `SELECT ${TS} AS ts, ${PRICES}, CASE WHEN i = 17 THEN -1 ELSE 1 END AS volume`,
    ],
    [
      "a text price",
      `SELECT ${TS} AS ts, CASE WHEN i = 17 THEN 'abc' ELSE '10.25' END AS open, 10.5 AS high, 10.0 AS low, 10.3 AS close, 1 AS volume`,
    ],
    ["text times", `SELECT strftime(${TS}, '%Y-%m-%d %H:%M:%S') AS ts, ${PRICES}, 1 AS volume`],
    ["epoch seconds before 2001", `SELECT epoch(${TS}) - 1e9 AS t, ${PRICES}, 1 AS volume`],
    [
      "a symbol column",
      `SELECT ${TS} AS ts, CASE WHEN i < 20 THEN 'AAA' ELSE 'BBB' END AS symbol, ${PRICES}, 1 AS volume`,
    ],
  ])("hands %s to parquet.ts: the same refusal or listing", async (name, select) => {
    const path = await parquet(`bad-${name.replace(/\W+/g, "-")}.parquet`, select);
    for (const skipInvalid of [false, true]) {
      const took = await sameOnBothPaths(path, { skipInvalid });
      expect(took[0]).not.toBe("imported");
    }
  });
});
