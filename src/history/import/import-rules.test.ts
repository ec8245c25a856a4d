import { describe, expect, it } from "vitest";
import { alwaysOpenCalendar } from "../../calendar/public.js";
import { ImportError } from "../../domain/errors.js";
import { SessionData } from "../../store/public.js";
import { MemoryBarStore } from "../memory-bar-store.js";
import { importFile } from "./import-file.js";
import { tempFiles } from "./import-test-support.test-helpers.js";
import { MAX_PRICE, MAX_VOLUME } from "./row-rules.js";

const { write } = tempFiles("rules");
const T = Date.UTC(2024, 0, 2, 14, 30);
const M = 60_000;
/** The fixed "now" of these tests: 2024-01-02 15:00 UTC ("tomorrow" is 2024-01-03). */
const NOW = Date.UTC(2024, 0, 2, 15);
const header = "time,open,high,low,close,volume\n";
const all = [Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY] as const;

async function refusal(path: string, options = {}): Promise<ImportError> {
  const store = new MemoryBarStore();
  const error = await importFile(store, path, { symbol: "X", now: NOW, ...options }).catch(
    (e: unknown) => e,
  );
  expect(error, "the file is refused").toBeInstanceOf(ImportError);
  expect(await store.symbols(), "nothing of it is written").toEqual([]);
  return error as ImportError;
}

describe("importFile: implausible values are refused with file, line, field and value", () => {
  it("refuses zero and negative prices unless allowNonpositivePrices", async () => {
    const path = write("zero.csv", `${header}${T},1,2,1,2,3\n${T + M},0,2,0,1,3\n`);
    const e = await refusal(path);
    expect([e.line, e.field]).toEqual([3, "open"]);
    expect(e.message).toBe(
      `${path}:3: open 0 is not positive; pass --allow-nonpositive-prices for spreads or contracts that trade at or below zero (--skip-invalid imports the other rows and lists the bad ones)`,
    );
    const negative = write("neg.csv", `${header}${T},-1.5,-1,-2,-1.25,3\n`);
    expect((await refusal(negative)).message).toMatch(/neg\.csv:2: open -1\.5 is not positive/);
    const store = new MemoryBarStore();
    await importFile(store, negative, { symbol: "SPREAD", allowNonpositivePrices: true, now: NOW });
    expect(await store.readBars("SPREAD", ...all)).toEqual([
      { time: T, open: -1.5, high: -1, low: -2, close: -1.25, volume: 3 },
    ]);
  });

  it("refuses 1e300 in every field, prices past 1e12 and volumes past 1e15", async () => {
    const huge = write("huge.csv", `${header}${T},1e300,1e300,1e300,1e300,1e300\n`);
    const e = await refusal(huge);
    expect([e.line, e.field]).toEqual([2, "open"]);
    expect(e.message).toContain(
      "open 1e+300 is beyond ±1000000000000: no real price is that large",
    );
    const high = write("high.csv", `${header}${T},1,1000000000001,1,1,1\n`);
    expect((await refusal(high)).field).toBe("high");
    const volume = write("volume.csv", `${header}${T},1,2,1,2,2e15\n`);
    expect((await refusal(volume)).message).toMatch(
      /volume.csv:2: volume 2000000000000000 is beyond 1000000000000000/,
    );
    const limits = write(
      "limits.csv",
      `${header}${T},${MAX_PRICE},${MAX_PRICE},1,1,${MAX_VOLUME}\n`,
    );
    const store = new MemoryBarStore();
    await importFile(store, limits, { symbol: "MAX", now: NOW });
    expect((await store.readBars("MAX", ...all))[0]).toMatchObject({ high: 1e12, volume: 1e15 });
  });

  it("refuses times before 1971 and after tomorrow, quoting them as written, unless allowAnyTime", async () => {
    const old = write("old.csv", `${header}${T},1,2,1,2,3\n31535940,1,2,1,2,3\n`);
    const e = await refusal(old);
    expect([e.line, e.field]).toEqual([3, "time"]);
    expect(e.message).toMatch(
      /^.*old\.csv:3: time "31535940" reads as 1970-12-31T23:59Z, before 1971: a wrong unit, zone or --format\? Pass --allow-any-time if the time is right/,
    );
    const late = write("late.csv", `${header}2024-01-04 00:00,1,2,1,2,3\n`);
    expect((await refusal(late)).message).toContain(
      `time "2024-01-04 00:00" reads as 2024-01-04T00:00Z, after tomorrow (2024-01-03)`,
    );
    const ok = write("tomorrow.csv", `${header}2024-01-03 23:59,1,2,1,2,3\n`);
    await expect(importFile(new MemoryBarStore(), ok, { now: NOW })).resolves.toMatchObject({
      rows: 1,
    });
    const store = new MemoryBarStore();
    await importFile(store, old, { symbol: "ANY", allowAnyTime: true, now: NOW });
    expect((await store.readBars("ANY", ...all)).map((b) => b.time)).toEqual([31_535_940_000, T]);
  });

  it("quotes a 17-digit timestamp as written, not as the double it parses to", async () => {
    const path = write("micro.csv", `${header}16379712000000001,1,2,1,2,3\n`);
    const e = await refusal(path);
    expect(e.message).toContain(`time "16379712000000001"`);
    expect(e.message).not.toMatch(/e\+16/);
    const off = write("off-minute.csv", `${header}2024-01-02 14:30:15,1,2,1,2,3\n`);
    expect((await refusal(off)).message).toContain(
      `off-minute.csv:2: time "2024-01-02 14:30:15" is not on a whole minute (it reads as 2024-01-02T14:30:15.000Z)`,
    );
  });

  it("skips such rows with skipInvalid and lists each", async () => {
    const path = write(
      "mixed.csv",
      `${header}${T},1,2,1,2,3\n${T + M},0,2,0,1,3\n1000,1,2,1,2,3\n${T + 2 * M},1,2,1,2,1e300\n`,
    );
    const r = await importFile(new MemoryBarStore(), path, { skipInvalid: true, now: NOW });
    expect(r.skipped.map((s) => [s.line, s.field])).toEqual([
      [3, "open"],
      [4, "time"],
      [5, "volume"],
    ]);
    expect(r.rows).toBe(1);
  });
});

describe("SessionData at the largest values an import accepts", () => {
  it("keeps every running sum and metric finite over a full 24/7 session", async () => {
    const rows = Array.from({ length: 1440 }, (_, i) => {
      const t = Date.UTC(2024, 0, 2) + i * M;
      return `${t},${MAX_PRICE},${MAX_PRICE},${MAX_PRICE},${MAX_PRICE},${MAX_VOLUME}`;
    });
    const path = write("max.csv", `${header}${rows.join("\n")}\n`);
    const store = new MemoryBarStore();
    expect((await importFile(store, path, { symbol: "MAX", now: NOW })).bars).toBe(1440);
    const sd = new SessionData({ calendar: alwaysOpenCalendar });
    for (const bar of await store.readBars("MAX", ...all)) sd.addBar("MAX", bar, "replay");
    const m = sd.getSessionMetrics("MAX")!;
    for (const [key, value] of Object.entries(m)) {
      if (typeof value === "number") expect(Number.isFinite(value), `${key} = ${value}`).toBe(true);
    }
    expect(m.vwap / MAX_PRICE).toBeCloseTo(1, 9);
    expect(m.volume).toBe(1440 * MAX_VOLUME);
    const hour = sd.getLatestBar("MAX", "1h")!;
    expect(Number.isFinite(hour.volume), "the 1h bar's volume sum").toBe(true);
  });
});
