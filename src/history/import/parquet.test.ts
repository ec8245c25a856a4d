import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { beforeAll, describe, expect, it } from "vitest";
import { MemoryBarStore } from "../memory-bar-store.js";
import { importFile } from "./import-file.js";
import { tempFiles } from "./import-test-support.test-helpers.js";

const { dir } = tempFiles("parquet");
const T = Date.UTC(2024, 0, 2, 14, 30);
const all = [0, Number.POSITIVE_INFINITY] as const;

/** Writes a Parquet file with DuckDB's COPY from a SELECT. */
async function parquet(name: string, select: string): Promise<string> {
  const path = join(dir, name);
  const instance = await DuckDBInstance.create(":memory:");
  const c = await instance.connect();
  await c.run(`COPY (${select}) TO '${path}' (FORMAT parquet)`);
  c.closeSync();
  instance.closeSync();
  return path;
}

describe("importFile: Parquet", () => {
  let stamped: string;
  beforeAll(async () => {
    stamped = await parquet(
      "nvda.parquet",
      `SELECT TIMESTAMP '2024-01-02 14:30:00' + INTERVAL (i) MINUTE AS ts, 10.0 + i AS o, 11.0 + i AS h,
              9.0 + i AS l, 10.5 + i AS c, 100 * i AS vol FROM range(3) t(i)`,
    );
  });

  it("maps columns by name and reads TIMESTAMP times as UTC", async () => {
    const store = new MemoryBarStore();
    const r = await importFile(store, stamped);
    expect(r.files[0]).toMatchObject({ format: "parquet", rows: 3, volume: true });
    expect(await store.readBars("NVDA", ...all)).toEqual(
      [0, 1, 2].map((i) => ({
        time: T + i * 60_000,
        open: 10 + i,
        high: 11 + i,
        low: 9 + i,
        close: 10.5 + i,
        volume: 100 * i,
      })),
    );
  });

  it("reads naive TIMESTAMPs in a zone, end stamps and a price scale", async () => {
    const store = new MemoryBarStore();
    await importFile(store, stamped, {
      symbol: "NY",
      tz: "America/New_York",
      stamp: "end",
      priceScale: 10,
    });
    const [first] = await store.readBars("NY", ...all);
    expect(first).toMatchObject({ time: Date.UTC(2024, 0, 2, 19, 29), open: 1, close: 1.05 });
  });

  it("maps epoch-millisecond columns by position with --columns, and text times", async () => {
    const store = new MemoryBarStore();
    const epoch = await parquet(
      "epoch.parquet",
      `SELECT 'x' AS junk, ${T}::BIGINT AS a, 1.0 AS b, 2.0 AS c, 0.5 AS d, 1.5 AS e`,
    );
    await importFile(store, epoch, { symbol: "EP", columns: "_,time,open,high,low,close" });
    expect(await store.readBars("EP", ...all)).toEqual([
      { time: T, open: 1, high: 2, low: 0.5, close: 1.5, volume: 0 },
    ]);
    const text = await parquet(
      "text.parquet",
      `SELECT '2024-01-02T09:30:00-05:00' AS time, 1 AS open, 1 AS high, 1 AS low, 1 AS close`,
    );
    await importFile(store, text, { symbol: "TX" });
    expect((await store.readBars("TX", ...all))[0]!.time).toBe(T);
  });

  it("refuses NULLs and bad bars by row number, or skips them", async () => {
    const store = new MemoryBarStore();
    const bad = await parquet(
      "bad.parquet",
      `SELECT * FROM (VALUES (${T}, 1.0, 2.0, 1.0, 2.0), (${T + 60_000}, NULL, 2.0, 1.0, 2.0),
        (${T + 120_000}, 1.0, 0.5, 1.0, 2.0)) v(time, open, high, low, close)`,
    );
    await expect(importFile(store, bad, { symbol: "B" })).rejects.toThrow(/bad\.parquet:2: open/);
    expect(await store.symbols()).toEqual([]);
    const r = await importFile(store, bad, { symbol: "B", skipInvalid: true });
    expect(r.skipped.map((s) => [s.line, s.field])).toEqual([
      [2, "open"],
      [3, "high"],
    ]);
    const junk = join(dir, "junk.parquet");
    (await import("node:fs")).writeFileSync(junk, "not parquet");
    await expect(importFile(store, junk)).rejects.toThrow(
      /junk\.parquet: is not a Parquet file \(it is text\)/,
    );
  });

  it("refuses a text price that is no number with its row and field (skipInvalid skips it)", async () => {
    const path = await parquet(
      "text-prices.parquet",
      `SELECT * FROM (VALUES (TIMESTAMP '2024-01-02 14:30:00', '1', 2.0, 1.0, 2.0, 5),
              (TIMESTAMP '2024-01-02 14:31:00', 'abc', 2.0, 1.0, 2.0, 5)) t(ts, open, high, low, close, volume)`,
    );
    const store = new MemoryBarStore();
    await expect(
      importFile(store, path, { symbol: "TP" }),
      "not DuckDB's bare 'Conversion Error' naming no row",
    ).rejects.toThrow(/text-prices\.parquet:2: open /);
    expect(await store.symbols()).toEqual([]);
    const r = await importFile(store, path, { symbol: "TP", skipInvalid: true });
    expect(r.skipped.map((s) => [s.line, s.field])).toEqual([[2, "open"]]);
    expect((await store.readBars("TP", ...all)).map((b) => b.open)).toEqual([1]);
  });

  it("names a NULL time as such, not as the string NaN", async () => {
    const path = await parquet(
      "null-time.parquet",
      `SELECT * FROM (VALUES (TIMESTAMP '2024-01-02 14:30:00', 1.0, 2.0, 1.0, 2.0),
              (NULL, 1.0, 2.0, 1.0, 2.0)) t(ts, open, high, low, close)`,
    );
    await expect(importFile(new MemoryBarStore(), path, { symbol: "NT" })).rejects.toThrow(
      /null-time\.parquet:2: time NULL or no number is not a timestamp/,
    );
  });

  it("reads a symbol column (each symbol its own bars); --symbol over several is an error", async () => {
    const path = await parquet(
      "multi.parquet",
      `SELECT * FROM (VALUES ('spy', TIMESTAMP '2024-01-02 14:30:00', 1.0, 2.0, 1.0, 2.0),
              ('qqq', TIMESTAMP '2024-01-02 14:30:00', 5.0, 6.0, 5.0, 6.0),
              ('spy', TIMESTAMP '2024-01-02 14:31:00', 1.0, 2.0, 1.0, 2.0)) t(ticker, ts, open, high, low, close)`,
    );
    const store = new MemoryBarStore();
    const r = await importFile(store, path);
    expect(r.symbols).toEqual(["QQQ", "SPY"]);
    expect((await store.readBars("SPY", ...all)).map((b) => b.time)).toEqual([T, T + 60_000]);
    const other = new MemoryBarStore();
    await expect(importFile(other, path, { symbol: "X" })).rejects.toThrow(
      /multi\.parquet:2: symbol "qqq" follows "SPY": the file holds several symbols/,
    );
    expect(await other.symbols()).toEqual([]);
  });

  it("quotes a typed time as the file holds it when the time is implausible", async () => {
    const path = await parquet(
      "old.parquet",
      `SELECT TIMESTAMP '1969-07-20 20:17:00' AS ts, 1.0 AS open, 2.0 AS high, 1.0 AS low, 2.0 AS close`,
    );
    await expect(importFile(new MemoryBarStore(), path, { symbol: "OLD" })).rejects.toThrow(
      /old\.parquet:1: time "1969-07-20 20:17:00" reads as 1969-07-20T20:17Z, before 1971/,
    );
  });
});
