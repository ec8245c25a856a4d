import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { zipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { ImportError } from "../../domain/errors.js";
import { DuckDbBarStore } from "../duckdb/duckdb-bar-store.js";
import { importFile } from "./import-file.js";
import { tempFiles } from "./import-test-support.test-helpers.js";
import { parseLeanName } from "./lean.js";

const { dir } = tempFiles("lean");
const enc = new TextEncoder();
const all = [0, Number.POSITIVE_INFINITY] as const;

/** Writes `minute/<ticker>/<date>_trade.zip` holding `<date>_<ticker>_minute_trade.csv`. */
function leanZip(ticker: string, date: string, rows: string[]): string {
  const folder = join(dir, "minute", ticker);
  mkdirSync(folder, { recursive: true });
  const zip = zipSync({
    [`${date}_${ticker}_minute_trade.csv`]: enc.encode(`${rows.join("\r\n")}\r\n`),
  });
  const path = join(folder, `${date}_trade.zip`);
  writeFileSync(path, zip);
  return path;
}

describe("importFile: LEAN minute trade zips", () => {
  it("reads ms since New York midnight and prices in 1/10,000 dollar, pre-market kept", async () => {
    const store = await DuckDbBarStore.open(":memory:");
    const path = leanZip("aapl", "20240102", [
      "14400000,1850000,1851000,1849000,1850500,120",
      "34200000,1854500,1856000,1853000,1855000,1000",
      "34260000,1855000,1857000,1854000,1856000,900",
    ]);
    const r = await importFile(store, path);
    expect(r.symbols).toEqual(["AAPL"]);
    expect(r.files[0]!.format).toBe("lean");
    expect(await store.readBars("AAPL", ...all)).toEqual([
      {
        time: Date.UTC(2024, 0, 2, 9, 0),
        open: 185,
        high: 185.1,
        low: 184.9,
        close: 185.05,
        volume: 120,
      },
      {
        time: Date.UTC(2024, 0, 2, 14, 30),
        open: 185.45,
        high: 185.6,
        low: 185.3,
        close: 185.5,
        volume: 1000,
      },
      {
        time: Date.UTC(2024, 0, 2, 14, 31),
        open: 185.5,
        high: 185.7,
        low: 185.4,
        close: 185.6,
        volume: 900,
      },
    ]);
    await store.close();
  });

  it("imports a folder of zips (several tickers and days, one across a DST switch) in one call", async () => {
    const store = await DuckDbBarStore.open(":memory:");
    leanZip("msft", "20240308", ["34200000,4000000,4010000,3990000,4005000,10"]);
    leanZip("msft", "20240311", ["34200000,4005000,4010000,4000000,4008000,11"]);
    leanZip("spy", "20240311", [
      "34200000,5100000,5110000,5090000,5105000,12",
      "57540000,5105000,5106000,5104000,5105500,13",
    ]);
    const r = await importFile(store, join(dir, "minute"));
    expect(r.symbols).toEqual(["AAPL", "MSFT", "SPY"]);
    expect(r.files.map((f) => f.format)).toEqual(["lean", "lean", "lean", "lean"]);
    expect(
      (await store.readBars("MSFT", ...all)).map((b) => new Date(b.time).toISOString()),
    ).toEqual(["2024-03-08T14:30:00.000Z", "2024-03-11T13:30:00.000Z"]);
    expect((await store.readBars("SPY", ...all)).at(-1)!.time, "15:59 EDT").toBe(
      Date.UTC(2024, 2, 11, 19, 59),
    );
    await store.close();
  });

  it("passes over the quote zips beside the trade zips of a LEAN folder, and refuses one when named", async () => {
    const store = await DuckDbBarStore.open(":memory:");
    const folder = join(dir, "with-quotes", "minute", "ibm");
    mkdirSync(folder, { recursive: true });
    const row = enc.encode("34200000,1600000,1610000,1590000,1605000,10\r\n");
    writeFileSync(
      join(folder, "20240102_trade.zip"),
      zipSync({ "20240102_ibm_minute_trade.csv": row }),
    );
    const quote = join(folder, "20240102_quote.zip");
    writeFileSync(quote, zipSync({ "20240102_ibm_minute_quote.csv": row }));
    const r = await importFile(store, join(dir, "with-quotes"));
    expect(r.files.map((f) => f.file)).toEqual([join(folder, "20240102_trade.zip")]);
    expect(r.warnings).toEqual([
      `${quote}: LEAN quote bars skipped (only trade bars are imported)`,
    ]);
    expect(await store.coverage("IBM")).toMatchObject({ count: 1 });
    await expect(importFile(store, quote)).rejects.toThrow(/only trade bars are supported/);
    await store.close();
  });

  it("refuses a zip with a bad row, naming the entry and line, and writes nothing of it", async () => {
    const store = await DuckDbBarStore.open(":memory:");
    const path = leanZip("bad", "20240102", ["34200000,1,2,1,2,3", "34260000,1,x,1,2,3"]);
    await expect(importFile(store, path)).rejects.toThrow(
      /20240102_trade\.zip:20240102_bad_minute_trade\.csv:2: high "x" is not a number/,
    );
    expect(await store.symbols()).toEqual([]);
    const r = await importFile(store, path, { skipInvalid: true, priceScale: 1 });
    expect(r.rows).toBe(1);
    expect(r.skipped[0]).toMatchObject({ line: 2, field: "high" });
    await store.close();
  });

  it("reads names and refuses quote files", async () => {
    expect(
      parseLeanName("/d/minute/ibm/20240105_trade.zip", "20240105_ibm_minute_trade.csv"),
    ).toEqual({
      date: "2024-01-05",
      ticker: "IBM",
      kind: "trade",
    });
    expect(parseLeanName("/d/minute/ibm/20240105_trade.zip", undefined).ticker).toBe("IBM");
    expect(() => parseLeanName("/d/20241305_trade.zip", undefined)).toThrow(ImportError);
    const folder = join(dir, "quotes");
    mkdirSync(folder);
    const path = join(folder, "20240102_quote.zip");
    writeFileSync(
      path,
      zipSync({ "20240102_x_minute_quote.csv": enc.encode("34200000,1,1,1,1,1\n") }),
    );
    const store = await DuckDbBarStore.open(":memory:");
    await expect(importFile(store, path)).rejects.toThrow(/only trade bars/);
    await store.close();
  });
});
