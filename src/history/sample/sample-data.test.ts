import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { alwaysOpenCalendar } from "../../calendar/utc-day-calendar.js";
import { xnysCalendar } from "../../calendar/xnys.js";
import { xtksCalendar } from "../../calendar/xtks.js";
import { ExistingBarsError, InvalidArgumentError } from "../../domain/errors.js";
import { collectScan } from "../bar-store.contract.js";
import type { BarStore } from "../bar-store.js";
import { DuckDbBarStore } from "../duckdb/duckdb-bar-store.js";
import { MemoryBarStore } from "../memory-bar-store.js";
import { generateSampleBars } from "./sample-data.js";
import { SAMPLE_TICKERS, sampleTickers } from "./sample-tickers.js";

/** A digest of every scanned bar's bytes, the same however the store cuts its chunks. */
async function digest(store: BarStore): Promise<string> {
  const hash = createHash("sha256");
  const row = new Float64Array(6);
  for await (const c of store.scan({ from: 0, to: Number.POSITIVE_INFINITY })) {
    for (let i = 0; i < c.length; i++) {
      hash.update(`${c.symbol[i]}\n`);
      row.set([c.time[i]!, c.open[i]!, c.high[i]!, c.low[i]!, c.close[i]!, c.volume[i]!]);
      hash.update(new Uint8Array(row.buffer));
    }
  }
  return hash.digest("hex");
}

const JAN = { from: "2024-01-02", to: "2024-01-31" } as const;

describe("generateSampleBars", () => {
  it("gives the same bars byte for byte for the same seed, in DuckDB and in memory", async () => {
    const a = await DuckDbBarStore.open(":memory:");
    const b = new MemoryBarStore();
    const c = new MemoryBarStore();
    const ra = await generateSampleBars(a, { symbols: 5, ...JAN, seed: 7 });
    await generateSampleBars(b, { symbols: 5, ...JAN, seed: 7 });
    await generateSampleBars(c, { symbols: 5, ...JAN, seed: 8 });
    expect(ra.symbols).toEqual(["AAPL", "MSFT", "NVDA", "AMZN", "GOOGL"]);
    expect(ra.bars).toBe(5 * 21 * 390);
    const da = await digest(a);
    expect(await digest(b)).toBe(da);
    expect(await digest(c), "another seed, other bars").not.toBe(da);
    await a.close();
  });

  it("gives the pinned bars on every machine and version (a change to the walk must be deliberate)", async () => {
    const store = new MemoryBarStore();
    await generateSampleBars(store, {
      symbols: ["AAPL", "ZZZ"],
      from: "2024-07-02",
      to: "2024-07-03",
      seed: 1,
      missingRate: 0.1,
    });
    expect(await digest(store)).toBe(
      "a0e68dec6fdda711046d09900ab2c39472045795dcd6dd089ce2d66c324f79db",
    );
  });

  it("makes a symbol's bars independent of the other symbols generated with it", async () => {
    const one = new MemoryBarStore();
    const two = new MemoryBarStore();
    await generateSampleBars(one, { symbols: ["MSFT"], ...JAN, seed: 3 });
    await generateSampleBars(two, { symbols: ["ZZZ", "MSFT"], ...JAN, seed: 3 });
    const range = [0, Number.POSITIVE_INFINITY] as const;
    expect(await one.readBars("MSFT", ...range)).toEqual(await two.readBars("MSFT", ...range));
  });

  it("fills only XNYS regular sessions: no holiday, early closes honoured", async () => {
    const store = new MemoryBarStore();
    await generateSampleBars(store, { symbols: ["X"], from: "2024-11-25", to: "2024-12-02" });
    const bars = await store.readBars("X", 0, Number.POSITIVE_INFINITY);
    const byDate = new Map<string, number[]>();
    for (const b of bars) {
      const date = xnysCalendar.sessionDateOf(b.time);
      expect(date, `bar at ${new Date(b.time).toISOString()} is in a session`).toBeDefined();
      const s = xnysCalendar.session(date!)!;
      expect(b.time >= s.open && b.time < s.close).toBe(true);
      byDate.set(date!, [...(byDate.get(date!) ?? []), b.time]);
    }
    expect([...byDate.keys()]).toEqual([
      "2024-11-25",
      "2024-11-26",
      "2024-11-27",
      "2024-11-29",
      "2024-12-02",
    ]);
    expect(byDate.get("2024-11-29")!.length, "13:00 early close after Thanksgiving").toBe(210);
    expect(byDate.get("2024-11-25")!.length).toBe(390);
    expect(Math.max(...byDate.get("2024-11-29")!)).toBe(Date.UTC(2024, 10, 29, 17, 59));
  });

  it("fills extended hours when asked, and whole UTC days on a 24/7 calendar", async () => {
    const store = new MemoryBarStore();
    const r = await generateSampleBars(store, {
      symbols: ["E"],
      from: "2024-01-02",
      to: "2024-01-02",
      extended: true,
    });
    expect(r.bars, "04:00 to 20:00 New York").toBe(16 * 60);
    const crypto = await generateSampleBars(new MemoryBarStore(), {
      symbols: ["BTC"],
      from: "2024-01-06",
      to: "2024-01-07",
      calendar: alwaysOpenCalendar,
    });
    expect(crypto.bars).toBe(2 * 1440);
  });

  it("trades nothing in a lunch break (XTKS)", async () => {
    const store = new MemoryBarStore();
    const r = await generateSampleBars(store, {
      symbols: ["7203"],
      from: "2025-01-06",
      to: "2025-01-06",
      calendar: xtksCalendar,
    });
    expect(r.bars, "09:00-11:30 and 12:30-15:30 Tokyo").toBe(330);
    const bars = await store.readBars("7203", 0, Number.MAX_SAFE_INTEGER);
    const lunch = bars.filter(
      (b) => b.time >= Date.UTC(2025, 0, 6, 2, 30) && b.time < Date.UTC(2025, 0, 6, 3, 30),
    );
    expect(lunch).toEqual([]);
  });

  it("has realistic prices and a U-shaped volume curve", async () => {
    const store = new MemoryBarStore();
    await generateSampleBars(store, { symbols: 20, ...JAN, seed: 1 });
    const { rows } = await collectScan(store.scan({ from: 0, to: Number.POSITIVE_INFINITY }));
    let edge = 0;
    let edgeN = 0;
    let mid = 0;
    let midN = 0;
    for (const [, b] of rows) {
      expect(b.close).toBeGreaterThan(1);
      expect(b.close).toBeLessThan(5000);
      expect(Math.round(b.close * 100) / 100, "prices in cents").toBe(b.close);
      const minute = (b.time - Date.UTC(2024, 0, 2, 14, 30)) % 86_400_000;
      const i = Math.round(minute / 60_000);
      if (i < 30 || (i >= 360 && i < 390)) {
        edge += b.volume;
        edgeN++;
      } else if (i >= 180 && i < 240) {
        mid += b.volume;
        midN++;
      }
    }
    expect(edge / edgeN, "more volume near the open and close than at midday").toBeGreaterThan(
      (2 * mid) / midN,
    );
  });

  it("leaves out about missingRate of the bars, the rest unchanged", async () => {
    const full = new MemoryBarStore();
    const holed = new MemoryBarStore();
    await generateSampleBars(full, { symbols: ["A"], ...JAN });
    const r = await generateSampleBars(holed, { symbols: ["A"], ...JAN, missingRate: 0.1 });
    const all = await full.readBars("A", 0, Number.POSITIVE_INFINITY);
    const some = await holed.readBars("A", 0, Number.POSITIVE_INFINITY);
    expect(some.length + r.missing).toBe(all.length);
    expect(r.missing / all.length).toBeGreaterThan(0.08);
    expect(r.missing / all.length).toBeLessThan(0.12);
    const byTime = new Map(all.map((b) => [b.time, b]));
    for (const b of some) expect(b).toEqual(byTime.get(b.time));
  });

  it("refuses bad options", async () => {
    const store = new MemoryBarStore();
    const base = { symbols: 1, ...JAN };
    for (const bad of [
      { ...base, from: "2024-02-01" },
      { ...base, to: "2024-13-01" },
      { ...base, symbols: 0 },
      { ...base, symbols: ["A", "A"] },
      { ...base, missingRate: 1 },
      { ...base, seed: 1.5 },
    ]) {
      await expect(generateSampleBars(store, bad), JSON.stringify(bad)).rejects.toBeInstanceOf(
        InvalidArgumentError,
      );
    }
    expect(await store.symbols()).toEqual([]);
  });

  it("refuses symbols that hold bars, naming each with its count, unless overwrite", async () => {
    const store = new MemoryBarStore();
    const real = { time: Date.UTC(2013, 0, 2, 15), open: 1, high: 2, low: 1, close: 2, volume: 5 };
    await store.writeBars("AAPL", [real]);
    const day = { from: "2024-01-02", to: "2024-01-02" };
    const error = await generateSampleBars(store, { symbols: ["aapl", "MSFT"], ...day }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ExistingBarsError);
    expect((error as ExistingBarsError).symbols).toEqual([{ symbol: "AAPL", bars: 1 }]);
    expect((error as Error).message).toMatch(/^the store already holds bars of AAPL \(1 bar\)/);
    expect(await store.symbols(), "nothing was written, MSFT neither").toEqual(["AAPL"]);
    const r = await generateSampleBars(store, {
      symbols: ["aapl", "msft"],
      ...day,
      overwrite: true,
    });
    expect(r.symbols, "upper case").toEqual(["AAPL", "MSFT"]);
    expect(await store.coverage("AAPL"), "the real bar stays beside the sample").toMatchObject({
      first: real.time,
      count: 391,
    });
  });
});

describe("sampleTickers", () => {
  it("starts with real tickers and then makes unique new ones", () => {
    const names = sampleTickers(3000);
    expect(names.slice(0, 3)).toEqual(["AAPL", "MSFT", "NVDA"]);
    expect(new Set(names).size).toBe(3000);
    expect(names[SAMPLE_TICKERS.length]).toBe("QAAA");
    for (const n of names) expect(n).toMatch(/^[A-Z][A-Z.]*$/);
  });
});
