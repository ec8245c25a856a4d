import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { alwaysOpenCalendar } from "../../calendar/utc-day-calendar.js";
import { MemoryBarStore } from "../memory-bar-store.js";
import { generateSampleBars } from "../sample/sample-data.js";
import { importFile } from "./import-file.js";

const dir = mkdtempSync(join(tmpdir(), "sessiondata-symbol-info-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function csv(name: string, closes: readonly string[]): string {
  const path = join(dir, name);
  const rows = closes.map(
    (c, i) => `2024-01-08T15:${String(i).padStart(2, "0")}:00Z,${c},${c},${c},${c},1`,
  );
  writeFileSync(path, `timestamp,open,high,low,close,volume\n${rows.join("\n")}\n`);
  return path;
}

describe("import records each symbol's calendar and price decimals", () => {
  it("detects the calendar from the symbol and keeps the most decimals seen", async () => {
    const store = new MemoryBarStore();
    await importFile(store, csv("ADABTC.csv", ["0.00003124", "0.0000312"]));
    await importFile(store, csv("GBPUSD.csv", ["1.59234", "1.5"]));
    await importFile(store, csv("AAPL.csv", ["185.5", "185.25"]));
    expect(await store.listSymbolInfo()).toEqual([
      { symbol: "AAPL", calendar: "XNYS", timeZone: "America/New_York", priceDecimals: 2 },
      { symbol: "ADABTC", calendar: "24/7", timeZone: "UTC", priceDecimals: 8 },
      { symbol: "GBPUSD", calendar: "24/5", timeZone: "America/New_York", priceDecimals: 5 },
    ]);
    await importFile(store, csv("AAPL.csv", ["186"]), { calendar: "xlon" });
    expect(await store.symbolInfo("AAPL"), "--calendar overrides; decimals never drop").toEqual({
      symbol: "AAPL",
      calendar: "XLON",
      timeZone: "Europe/London",
      priceDecimals: 2,
    });
  });

  it("refuses an unknown calendar before anything is written", async () => {
    const store = new MemoryBarStore();
    await expect(importFile(store, csv("MSFT.csv", ["1"]), { calendar: "MARS" })).rejects.toThrow(
      /MARS/,
    );
    expect(await store.symbols()).toEqual([]);
  });
});

describe("generated sample bars record their calendar too", () => {
  it("stores the calendar they were made on, prices in cents", async () => {
    const store = new MemoryBarStore();
    await generateSampleBars(store, {
      symbols: ["BTCUSD"],
      from: "2024-01-06",
      to: "2024-01-06",
      calendar: alwaysOpenCalendar,
    });
    expect(await store.symbolInfo("BTCUSD")).toEqual({
      symbol: "BTCUSD",
      calendar: "24/7",
      timeZone: "UTC",
      priceDecimals: 2,
    });
  });
});
