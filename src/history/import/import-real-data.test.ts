import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";
import { requiring, sharedData } from "../../../test/requirements.js";
import { DuckDbBarStore } from "../duckdb/duckdb-bar-store.js";
import { importFile } from "./import-file.js";

const dir = fileURLToPath(new URL("../../../../shared/data/bars/", import.meta.url));
const realFiles = sharedData("bars");

const iso = (t: number) => new Date(t).toISOString().slice(0, 16);

requiring(realFiles).describe("importFile: the real files in shared/data/bars", () => {
  let store: DuckDbBarStore;
  beforeAll(async () => {
    store = await DuckDbBarStore.open(":memory:");
  });
  afterAll(() => store.close());

  it("BTC perpetual (naive UTC, start-stamped): 45,031 bars, every minute", async () => {
    const r = await importFile(store, `${dir}btc-perp-20211231-20220201_1m.csv`);
    expect(r.symbols).toEqual(["BTC-PERP"]);
    expect(r.rows).toBe(45_031);
    const c = (await store.coverage("BTC-PERP"))!;
    expect([iso(c.first), iso(c.last), c.count]).toEqual([
      "2021-12-31T23:01",
      "2022-02-01T05:31",
      45_031,
    ]);
    expect((c.last - c.first) / 60_000 + 1, "no minute missing").toBe(45_031);
    const [first] = await store.readBars("BTC-PERP", c.first, c.first + 60_000);
    expect(first).toEqual({
      time: c.first,
      open: 46319,
      high: 46385,
      low: 46319,
      close: 46377,
      volume: 2300413.7295,
    });
  });

  it("CME 6E (end-stamped): 29,996 bars at open times, none in the 22:00 halt hour", async () => {
    const r = await importFile(store, `${dir}6EH4.XCME_1min_bars_20240101_20240131.csv`, {
      stamp: "end",
    });
    expect(r.rows).toBe(29_996);
    const c = (await store.coverage("6EH4.XCME"))!;
    expect([iso(c.first), iso(c.last)]).toEqual(["2024-01-01T23:00", "2024-01-31T23:58"]);
    const bars = await store.readBars("6EH4.XCME", c.first, c.last + 1);
    const hours = new Set(bars.map((b) => new Date(b.time).getUTCHours()));
    expect(hours.has(22), "the 22:00-23:00 halt has no bar opening in it").toBe(false);
    expect(
      bars.some((b) => iso(b.time).endsWith("21:59")),
      "the bar ending 22:00 opens 21:59",
    ).toBe(true);
    expect(bars[0]).toMatchObject({ open: 1.1076, high: 1.10785, close: 1.1078, volume: 205 });
  });

  it("GBP/USD (offset timestamps, no volume): 30,117 bars with volume 0, reported", async () => {
    const r = await importFile(store, `${dir}gbpusd-m1-bid-2012.csv`);
    expect(r.rows).toBe(30_117);
    expect(r.files[0]!.volume).toBe(false);
    expect(r.warnings.join(" ")).toMatch(/no volume/);
    const c = (await store.coverage("GBPUSD"))!;
    expect([iso(c.first), iso(c.last)]).toEqual(["2012-02-01T00:00", "2012-03-01T00:00"]);
    const bars = await store.readBars("GBPUSD", c.first, c.last + 1);
    expect(bars.every((b) => b.volume === 0)).toBe(true);
  });

  it("ADABTC (raw Binance klines): 10 bars, base volume", async () => {
    const r = await importFile(store, `${dir}ADABTC-1m-2021-11-27.csv`);
    expect(r.files[0]!.format).toBe("binance");
    expect(r.rows).toBe(10);
    const bars = await store.readBars("ADABTC", 0, Number.POSITIVE_INFINITY);
    expect(bars.map((b) => b.time)).toEqual(
      Array.from({ length: 10 }, (_, i) => 1637971200000 + i * 60_000),
    );
    expect(bars[0]).toEqual({
      time: 1637971200000,
      open: 0.00002853,
      high: 0.00002854,
      low: 0.00002851,
      close: 0.00002854,
      volume: 36304.2,
    });
  });

  it("imports the whole folder in one call (the CME file start-stamped there)", async () => {
    const other = await DuckDbBarStore.open(":memory:");
    const r = await importFile(other, dir);
    expect(r.symbols).toEqual(["6EH4.XCME", "ADABTC", "BTC-PERP", "GBPUSD"]);
    expect(r.rows).toBe(45_031 + 29_996 + 30_117 + 10);
    await other.close();
  });
});
