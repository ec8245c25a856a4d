import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { strToU8, zipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { ImportError, InvalidArgumentError } from "../../domain/errors.js";
import { DuckDbBarStore } from "../duckdb/duckdb-bar-store.js";
import { MemoryBarStore } from "../memory-bar-store.js";
import { importFile, symbolOfFileName } from "./import-file.js";
import { tempFiles } from "./import-test-support.test-helpers.js";

const { dir, write } = tempFiles("import");
const T = Date.UTC(2024, 0, 2, 14, 30);
const M = 60_000;
const all = [0, Number.POSITIVE_INFINITY] as const;

describe("importFile: generic CSV", () => {
  it("reads a header, ISO times and every column", async () => {
    const store = new MemoryBarStore();
    const path = write(
      "aapl.csv",
      "Date,Open,High,Low,Close,Volume\n2024-01-02T14:30:00Z,10,11,9,10.5,100\n2024-01-02T14:31:00Z,10.5,12,10,11,200\n",
    );
    const r = await importFile(store, path);
    expect(r.symbols).toEqual(["AAPL"]);
    expect(r.rows).toBe(2);
    expect(r.files[0]).toMatchObject({ format: "csv", volume: true, skipped: 0 });
    expect(await store.readBars("AAPL", ...all)).toEqual([
      { time: T, open: 10, high: 11, low: 9, close: 10.5, volume: 100 },
      { time: T + M, open: 10.5, high: 12, low: 10, close: 11, volume: 200 },
    ]);
  });

  it("reads headerless epoch seconds and milliseconds in the default column order", async () => {
    const store = new MemoryBarStore();
    const s = write("s.csv", `${T / 1000},1,2,0.5,1.5,7\n${T / 1000 + 60},1.5,2,1,1,8\n`);
    const ms = write("ms.csv", `${T},1,2,0.5,1.5\n`);
    await importFile(store, s, { symbol: "S" });
    const r = await importFile(store, ms, { symbol: "MS" });
    expect((await store.readBars("S", ...all)).map((b) => b.time)).toEqual([T, T + M]);
    expect(await store.readBars("MS", ...all)).toEqual([
      { time: T, open: 1, high: 2, low: 0.5, close: 1.5, volume: 0 },
    ]);
    expect(r.warnings.join(" ")).toMatch(/no volume column/);
    expect(r.files[0]!.volume).toBe(false);
  });

  it("maps columns by --columns, skipping some, with another delimiter, CRLF and a BOM", async () => {
    const store = new MemoryBarStore();
    const path = write(
      "odd.txt",
      "\uFEFFsym;vol;c;h;l;o;t\r\nX;5;2;3;1;1.5;2024-01-02 14:30\r\n\r\nX;6;2;3;1;2;2024-01-02 14:31\r\n",
    );
    await importFile(store, path, {
      symbol: "ODD",
      columns: "_,volume,close,high,low,open,time",
    });
    expect(await store.readBars("ODD", ...all)).toEqual([
      { time: T, open: 1.5, high: 3, low: 1, close: 2, volume: 5 },
      { time: T + M, open: 2, high: 3, low: 1, close: 2, volume: 6 },
    ]);
  });

  it("reads lines ending in a lone CR (Excel's CSV for Macintosh) and a UTC suffix", async () => {
    const store = new MemoryBarStore();
    const path = write(
      "mac.csv",
      "time,open,high,low,close\r2024-01-02 14:30:00 UTC,1,2,1,2\r2024-01-02 14:31:00 UTC,2,3,2,3\r",
    );
    const r = await importFile(store, path, { symbol: "MAC" });
    expect(r.rows, "two rows, not one line of header and data run together").toBe(2);
    expect((await store.readBars("MAC", ...all)).map((b) => b.time)).toEqual([T, T + M]);
  });

  it("takes quoted fields and tab delimiters", async () => {
    const store = new MemoryBarStore();
    const path = write(
      "tab.csv",
      `"time"\t"open"\t"high"\t"low"\t"close"\n"${T}"\t"1"\t"2"\t"1"\t"2"\n`,
    );
    await importFile(store, path, { symbol: "TAB" });
    expect((await store.readBars("TAB", ...all))[0]).toMatchObject({ time: T, open: 1, close: 2 });
  });

  it("reads naive times in the given zone and converts end stamps to open times", async () => {
    const store = new MemoryBarStore();
    const path = write(
      "ny.csv",
      "time,open,high,low,close\n2024-01-02 09:31:00,1,1,1,1\n2024-07-01 09:31:00,1,1,1,1\n",
    );
    await importFile(store, path, { symbol: "NY", tz: "America/New_York", stamp: "end" });
    expect((await store.readBars("NY", ...all)).map((b) => b.time)).toEqual([
      T,
      Date.UTC(2024, 6, 1, 13, 30),
    ]);
    await importFile(store, path, { symbol: "UTC" });
    expect((await store.readBars("UTC", ...all))[0]!.time, "naive is UTC by default").toBe(
      Date.UTC(2024, 0, 2, 9, 31),
    );
  });

  it("upserts on re-import: importing twice changes nothing", async () => {
    const store = await DuckDbBarStore.open(":memory:");
    const path = write(
      "twice.csv",
      `time,open,high,low,close,volume\n${T},1,2,1,2,3\n${T + M},2,2,1,1,3\n`,
    );
    await importFile(store, path, { symbol: "TW" });
    await importFile(store, path, { symbol: "TW" });
    expect(await store.coverage("TW")).toEqual({ first: T, last: T + M, count: 2 });
    await store.close();
  });
});

describe("importFile: bad rows", () => {
  const bad = `time,open,high,low,close,volume\n${T},1,2,1,2,3\n${T + M},1,abc,1,2,3\n${T + 2 * M},5,2,1,2,3\n${T + 3 * M},1,2\nnot-a-time,1,2,1,2,3\n${T + 5 * M},1,2,1,2,4\n`;

  it("refuses the whole file by default, naming file, line and field", async () => {
    const store = await DuckDbBarStore.open(":memory:");
    const path = write("bad.csv", bad);
    let caught: unknown;
    try {
      await importFile(store, path, { symbol: "BAD" });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ImportError);
    const e = caught as ImportError;
    expect([e.file, e.line, e.field]).toEqual([path, 3, "high"]);
    expect(e.message).toContain(`${path}:3: high "abc" is not a number`);
    expect(await store.symbols(), "nothing was written").toEqual([]);
    await store.close();
  });

  it("writes the valid rows and lists each skipped line with skipInvalid", async () => {
    const store = await DuckDbBarStore.open(":memory:");
    const path = write("bad2.csv", bad);
    const r = await importFile(store, path, { symbol: "BAD", skipInvalid: true });
    expect(r.rows).toBe(2);
    expect(r.skipped.map((s) => [s.line, s.field])).toEqual([
      [3, "high"],
      [4, "high"],
      [5, "low"],
      [6, "time"],
    ]);
    expect(r.skipped[1]!.reason).toMatch(/below max/);
    expect((await store.readBars("BAD", ...all)).map((b) => b.time)).toEqual([T, T + 5 * M]);
    await store.close();
  });

  it("refuses times off the minute, unknown options and missing columns", async () => {
    const store = new MemoryBarStore();
    const off = write("off.csv", `time,open,high,low,close\n${T + 1000},1,1,1,1\n`);
    await expect(importFile(store, off, { symbol: "OFF" })).rejects.toThrow(
      /off\.csv:2: time .*whole minute/,
    );
    const nocol = write("nocol.csv", "time,open,high,close\n1,1,1,1\n");
    await expect(importFile(store, nocol)).rejects.toThrow(/nocol\.csv:1: low has no column/);
    await expect(importFile(store, off, { tz: "Nowhere/Special" })).rejects.toThrow(/time zone/);
    await expect(importFile(store, off, { stamp: "middle" as "end" })).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
    await expect(importFile(store, off, { columns: "time,open,high" })).rejects.toThrow(/low/);
    await expect(importFile(store, join(dir, "nope.csv"))).rejects.toThrow(/does not exist/);
    const empty = join(dir, "empty-dir");
    mkdirSync(empty);
    await expect(importFile(store, empty)).rejects.toThrow(/holds no/);
    expect(await store.symbols()).toEqual([]);
  });

  it("reports progress on a file", async () => {
    const store = new MemoryBarStore();
    const path = write("prog.csv", `time,open,high,low,close\n${T},1,1,1,1\n`);
    const seen: number[] = [];
    await importFile(store, path, { symbol: "P", onProgress: (p) => seen.push(p.done / p.total) });
    expect(seen.at(-1)).toBe(1);
  });
});

describe("symbolOfFileName", () => {
  it.each([
    ["btc-perp-20211231-20220201_1m.csv", "BTC-PERP"],
    ["6EH4.XCME_1min_bars_20240101_20240131.csv", "6EH4.XCME"],
    ["gbpusd-m1-bid-2012.csv", "GBPUSD"],
    ["ADABTC-1m-2021-11-27.csv", "ADABTC"],
    ["/x/y/msft.parquet", "MSFT"],
  ])("%s → %s", (file, symbol) => {
    expect(symbolOfFileName(file)).toBe(symbol);
  });
});

describe("importFile: split dates, other date styles, order", () => {
  it("joins a Date and a Time column (ISO, compact and MetaTrader styles)", async () => {
    const store = new MemoryBarStore();
    const a = write(
      "split.csv",
      "Date,Time,Open,High,Low,Close,Volume\n2024-01-02,14:30,1,2,1,2,3\n2024-01-02,14:31:00,1,2,1,2,3\n",
    );
    const b = write(
      "compact.csv",
      "date,time,open,high,low,close\n20240102,1430,1,2,1,2\n20240102,143100,1,2,1,2\n",
    );
    const c = write(
      "mt.csv",
      "Date,Time,Open,High,Low,Close\n2024.01.02,14:30,1,2,1,2\n2024.01.02,9:31,1,2,1,2\n",
    );
    await importFile(store, a, { symbol: "A" });
    await importFile(store, b, { symbol: "B" });
    await importFile(store, c, { symbol: "C" });
    expect((await store.readBars("A", ...all)).map((x) => x.time)).toEqual([T, T + M]);
    expect((await store.readBars("B", ...all)).map((x) => x.time)).toEqual([T, T + M]);
    expect((await store.readBars("C", ...all)).map((x) => x.time)).toEqual([
      Date.UTC(2024, 0, 2, 9, 31),
      T,
    ]);
    const bad = write("split-bad.csv", "Date,Time,Open,High,Low,Close\n2024-01-02,25:00,1,2,1,2\n");
    await expect(importFile(store, bad, { symbol: "X" })).rejects.toThrow(
      /split-bad\.csv:2: time "2024-01-02 25:00" is not a timestamp/,
    );
  });

  it("takes a lone date column as the timestamp, and --columns date,time", async () => {
    const store = new MemoryBarStore();
    const daily = write(
      "daily.csv",
      "Date,Open,High,Low,Close\n2024-01-02,1,2,1,2\n2024-01-03,1,2,1,2\n",
    );
    await importFile(store, daily, { symbol: "D" });
    expect((await store.readBars("D", ...all)).map((x) => x.time)).toEqual([
      Date.UTC(2024, 0, 2),
      Date.UTC(2024, 0, 3),
    ]);
    const raw = write("raw.csv", "20240102,1430,1,2,1,2\n");
    await importFile(store, raw, { symbol: "R", columns: "date,time,open,high,low,close" });
    expect((await store.readBars("R", ...all))[0]!.time).toBe(T);
  });

  it("warns about rows out of order or repeating a time (the last row of a time wins)", async () => {
    const store = await DuckDbBarStore.open(":memory:");
    const path = write(
      "unordered.csv",
      `time,open,high,low,close\n${T + M},1,1,1,1\n${T},2,2,2,2\n${T},3,3,3,3\n`,
    );
    const r = await importFile(store, path, { symbol: "U" });
    expect(r.warnings.join(" ")).toMatch(
      /1 repeated time \(3 rows, 2 bars\): the last row of each time was kept/,
    );
    expect(r.warnings.join(" ")).toMatch(/2 rows earlier than a row before them/);
    expect([r.rows, r.bars]).toEqual([3, 2]);
    expect((await store.readBars("U", ...all)).map((b) => b.close)).toEqual([3, 1]);
    await store.close();
  });
});

describe("importFile: a bad first row is no header, and zips without bars", () => {
  const row = `${T},1,2,1,2,x\n${T + M},1,2,1,2,5\n`;

  it.each([
    ["given columns", { columns: "time,open,high,low,close,volume" }],
    ["default columns", {}],
    ["Binance", { format: "binance" as const }],
  ])(
    "refuses a headerless file whose first row is bad (%s), naming line 1 and the field",
    async (_, options) => {
      const store = new MemoryBarStore();
      const path = write("first-bad.csv", row);
      await expect(
        importFile(store, path, { symbol: "FB", ...options }),
        "the bad first row is not taken for a header and dropped",
      ).rejects.toThrow(/first-bad\.csv:1: volume "x" is not a number/);
      expect(await store.symbols()).toEqual([]);
      const r = await importFile(store, path, { symbol: "FB", skipInvalid: true, ...options });
      expect(r.skipped.map((s) => [s.line, s.field])).toEqual([[1, "volume"]]);
      expect((await store.readBars("FB", ...all)).map((b) => b.time)).toEqual([T + M]);
    },
  );

  it("reads only the .csv entries of a zip, and refuses a zip without one", async () => {
    const store = new MemoryBarStore();
    const readme = strToU8("Data from a vendor.\nSee their site.\n");
    const mixed = write(
      "mixed.zip",
      zipSync({
        "readme.txt": readme,
        "bars.csv": strToU8(`time,open,high,low,close\n${T},1,2,1,2\n`),
      }),
    );
    const r = await importFile(store, mixed, { symbol: "Z" });
    expect(r.rows, "the readme is not read as bars").toBe(1);
    const none = write("none.zip", zipSync({ "readme.txt": readme }));
    await expect(importFile(store, none, { symbol: "N" })).rejects.toThrow(
      /none\.zip: holds no \.csv file \(it holds readme\.txt\)/,
    );
    expect(await store.symbols()).toEqual(["Z"]);
  });

  it("imports a folder's .csv files, not a readme.txt or hidden files beside them", async () => {
    const store = new MemoryBarStore();
    const folder = join(dir, "vendor");
    mkdirSync(join(folder, ".cache"), { recursive: true });
    write("vendor/eurusd.csv", `time,open,high,low,close\n${T},1,2,1,2\n`);
    write("vendor/readme.txt", "Data from a vendor.\n");
    write("vendor/._eurusd.csv", "\u0000\u0005binary fork");
    write("vendor/.cache/old.csv", "garbage\n");
    const r = await importFile(store, folder);
    expect(r.files.map((f) => f.file)).toEqual([join(folder, "eurusd.csv")]);
    expect(await store.symbols()).toEqual(["EURUSD"]);
  });
});
