import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { strToU8, zipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { ImportError, InvalidArgumentError } from "../../domain/errors.js";
import { MemoryBarStore } from "../memory-bar-store.js";
import { importFile, importFiles, planFiles } from "./import-file.js";
import { tempFiles } from "./import-test-support.test-helpers.js";

const { dir, write } = tempFiles("plan");
const T = Date.UTC(2024, 0, 2, 14, 30);
const M = 60_000;
const all = [0, Number.POSITIVE_INFINITY] as const;
const good = `time,open,high,low,close,volume\n${T},1,2,1,2,3\n`;
const leanRows =
  "34200000,1854500,1856000,1853000,1855000,1000\r\n34260000,1855000,1857000,1854000,1856000,900\r\n";

/** `<folder>/minute/aapl/20240102_trade.zip`, LEAN's layout, and a good CSV beside it. */
function leanFolder(name: string): { folder: string; zip: string } {
  const folder = join(dir, name);
  mkdirSync(join(folder, "minute", "aapl"), { recursive: true });
  write(`${name}/a-first.csv`, good);
  const zip = write(
    `${name}/minute/aapl/20240102_trade.zip`,
    zipSync({ "20240102_aapl_minute_trade.csv": strToU8(leanRows) }),
  );
  return { folder, zip };
}

async function refused(paths: string[], options = {}): Promise<Error> {
  const store = new MemoryBarStore();
  const error = await importFiles(store, paths, options).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(Error);
  expect(await store.symbols(), "nothing is written, not even the files before it").toEqual([]);
  return error as Error;
}

describe("a declared format the content contradicts is refused before anything is written", () => {
  it("--format csv on a LEAN zip (which stored 1970-dated bars)", async () => {
    const { folder, zip } = leanFolder("lean-as-csv");
    const e = await refused([folder], { format: "csv" });
    expect(e).toBeInstanceOf(ImportError);
    expect(e.message).toMatch(
      new RegExp(
        `^${zip}:20240102_aapl_minute_trade\\.csv: holds LEAN minute bars .*not csv: pass --format lean; leave --format out to detect it$`,
      ),
    );
    const store = new MemoryBarStore();
    const r = await importFile(store, folder);
    expect(r.symbols, "without --format the same folder imports").toEqual(["A-FIRST", "AAPL"]);
    expect((await store.readBars("AAPL", ...all))[0]).toMatchObject({
      time: Date.UTC(2024, 0, 2, 14, 30),
      open: 185.45,
    });
  });

  it("--format csv on LEAN rows in a loose file, and --format lean or binance on generic rows", async () => {
    const loose = write("ticks.csv", leanRows);
    expect((await refused([loose], { format: "csv" })).message).toMatch(
      /ticks\.csv: holds LEAN minute bars .*its first row: "34200000,1854500/,
    );
    const generic = write("generic.csv", "time,open,high,low,close\n2024-01-02 14:30,1,2,1,2\n");
    expect((await refused([generic], { format: "binance" })).message).toMatch(
      /generic\.csv: is not Binance klines \(its first row: ".*"\): a kline row is numbers/,
    );
    const dated = write("20240102_x_minute_trade.csv", `2024-01-02 14:30,1,2,1,2,3\n`);
    expect((await refused([dated], { format: "lean" })).message).toMatch(
      /is not LEAN minute data .*LEAN rows start with milliseconds since midnight/,
    );
    const columns = await importFile(new MemoryBarStore(), generic, {
      format: "binance",
      columns: "time,open,high,low,close",
    });
    expect(columns.rows, "--columns states the layout: only names are checked").toBe(1);
  });

  it("--format parquet on text, a text format on Parquet, a .zip that is no zip", async () => {
    const text = write("bars.csv", good);
    expect((await refused([text], { format: "parquet" })).message).toBe(
      `${text}: is not a Parquet file (it is text)`,
    );
    const parquet = join(dir, "p.parquet");
    const instance = await DuckDBInstance.create(":memory:");
    const c = await instance.connect();
    await c.run(
      `COPY (SELECT TIMESTAMP '2024-01-02 14:30:00' AS ts, 1.0 AS o, 2.0 AS h, 1.0 AS l, 2.0 AS c) TO '${parquet}' (FORMAT parquet)`,
    );
    c.closeSync();
    instance.closeSync();
    expect((await refused([parquet], { format: "csv" })).message).toBe(
      `${parquet}: is a Parquet file, not csv: pass --format parquet or leave --format out`,
    );
    const fake = write("fake.zip", good);
    expect((await refused([fake])).message).toBe(`${fake}: is not a zip file (it is text)`);
  });

  it("UTF-16 (with or without a byte-order mark, in a zip too) and gzip get what to do", async () => {
    const utf16 = (text: string, bom: boolean, be = false): Uint8Array => {
      const body = Buffer.from(text, "utf16le");
      if (be) body.swap16();
      const mark = be ? [0xfe, 0xff] : [0xff, 0xfe];
      return bom ? Buffer.concat([Buffer.from(mark), body]) : body;
    };
    const message = "the file is UTF-16; convert it to UTF-8";
    for (const [name, bytes] of [
      ["le.csv", utf16(good, true)],
      ["be.csv", utf16(good, true, true)],
      ["nobom.csv", utf16(good, false)],
    ] as const) {
      const path = write(name, bytes);
      expect((await refused([path])).message, name).toContain(`${path}: ${message}`);
    }
    const zipped = write("u16.zip", zipSync({ "bars.csv": utf16(good, true) }));
    expect((await refused([zipped])).message).toContain(`${zipped}:bars.csv: ${message}`);
    const gz = write("bars.csv.gz.csv", new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0]));
    expect((await refused([gz])).message).toMatch(/is gzip-compressed \(decompress it first/);
  });
});

describe("--symbol names one symbol", () => {
  it("is refused over files that name several symbols, and taken over files of one", async () => {
    const a = write("aapl.csv", good);
    const m = write("msft.csv", good);
    const e = await refused([a, m], { symbol: "X" });
    expect(e).toBeInstanceOf(InvalidArgumentError);
    expect(e.message).toBe(
      "--symbol X over 2 files that name 2 symbols (AAPL, MSFT) would store them all as X: leave --symbol out to import each under its own name, or import one symbol's files at a time",
    );
    const y1 = write("spy-2023.csv", good);
    const y2 = write("spy-2024.csv", `time,open,high,low,close\n${T + M},1,2,1,2\n`);
    const store = new MemoryBarStore();
    const r = await importFiles(store, [y1, y2], { symbol: "spy.us" });
    expect(r.symbols, "any case in, upper case stored").toEqual(["SPY.US"]);
    expect(await store.coverage("SPY.US")).toMatchObject({ count: 2 });
  });

  it("is refused over a CSV whose symbol column holds several, which imports each without it", async () => {
    const path = write(
      "two.csv",
      `Symbol,Time,Open,High,Low,Close,Volume\naapl,${T},1,2,1,2,3\nmsft,${T},5,6,5,6,7\naapl,${T + M},1,2,1,2,3\nmsft,${T + M},5,6,5,6,7\n`,
    );
    const e = await refused([path], { symbol: "X" });
    expect(e).toBeInstanceOf(ImportError);
    expect([(e as ImportError).line, (e as ImportError).field]).toEqual([3, "symbol"]);
    expect(e.message).toContain(
      `"msft" follows "AAPL": the file holds several symbols, and --symbol X would store them all as one`,
    );
    const store = new MemoryBarStore();
    const r = await importFile(store, path);
    expect(r.symbols).toEqual(["AAPL", "MSFT"]);
    expect([r.rows, r.bars]).toEqual([4, 4]);
    expect((await store.readBars("MSFT", ...all)).map((b) => b.close)).toEqual([6, 6]);
    const one = write("one.csv", `symbol,time,open,high,low,close\nqqq,${T},1,2,1,2\n`);
    expect(
      (await importFile(store, one, { symbol: "NDX" })).symbols,
      "a lone symbol is renamed",
    ).toEqual(["NDX"]);
  });

  it("is refused over a zip whose entries name several symbols", async () => {
    const zip = write("two.zip", zipSync({ "aapl.csv": strToU8(good), "msft.csv": strToU8(good) }));
    const e = await refused([zip], { symbol: "X" });
    expect(e.message).toMatch(/two\.zip:msft\.csv: names MSFT, another symbol than AAPL/);
  });

  it("plans without writing: a plan made first imports as the paths would", async () => {
    const a = write("plan-a.csv", good);
    const plan = await planFiles([a]);
    expect(plan.files).toEqual([{ path: a, container: "text", format: "csv", symbol: "PLAN-A" }]);
    const store = new MemoryBarStore();
    expect((await importFiles(store, plan)).symbols).toEqual(["PLAN-A"]);
  });
});
