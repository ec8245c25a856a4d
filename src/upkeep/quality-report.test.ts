import { describe, expect, it } from "vitest";
import { alwaysOpenCalendar } from "../calendar/utc-day-calendar.js";
import { xnysCalendar } from "../calendar/xnys.js";
import { type Bar, MINUTE_MS } from "../domain/bar.js";
import { MemoryBarStore } from "../history/memory-bar-store.js";
import { assessQuality } from "./quality-report.js";
import { barAt } from "./upkeep.test-helpers.js";

describe("assessQuality", () => {
  it("reports expected, present, missing, quality and the longest gaps per symbol and session", async () => {
    const store = new MemoryBarStore();
    const d1 = xnysCalendar.session("2024-01-08")!;
    const d2 = xnysCalendar.session("2024-01-09")!;
    const skip = new Set([
      d1.open,
      d1.open + 100 * MINUTE_MS,
      d1.open + 101 * MINUTE_MS,
      d1.open + 102 * MINUTE_MS,
      d1.open + 200 * MINUTE_MS,
      d1.open + 201 * MINUTE_MS,
      d1.close - MINUTE_MS,
    ]);
    const bars = [];
    for (const s of [d1, d2]) {
      for (let t = s.open; t < s.close; t += MINUTE_MS) if (!skip.has(t)) bars.push(barAt(t));
    }
    bars.push(barAt(d1.close + 10 * MINUTE_MS), barAt(d1.open - 30 * MINUTE_MS));
    await store.writeBars("AAPL", bars);
    const rows = await assessQuality({
      source: store,
      calendar: xnysCalendar,
      symbols: ["AAPL", "NONE"],
      from: "2024-01-06",
      to: "2024-01-09",
      longest: 2,
    });
    expect(rows.map((r) => `${r.symbol} ${r.sessionDate}`)).toEqual([
      "AAPL 2024-01-08",
      "AAPL 2024-01-09",
    ]);
    expect(rows[0]).toEqual({
      symbol: "AAPL",
      sessionDate: "2024-01-08",
      expected: 390,
      present: 383,
      missing: 7,
      quality: (383 / 390) * 100,
      gaps: 4,
      missingSession: false,
      longestGaps: [
        {
          symbol: "AAPL",
          start: d1.open + 100 * MINUTE_MS,
          end: d1.open + 103 * MINUTE_MS,
          count: 3,
        },
        {
          symbol: "AAPL",
          start: d1.open + 200 * MINUTE_MS,
          end: d1.open + 202 * MINUTE_MS,
          count: 2,
        },
      ],
    });
    expect(rows[1]).toMatchObject({
      present: 390,
      missing: 0,
      quality: 100,
      gaps: 0,
      longestGaps: [],
    });
  });
});

describe("assessQuality over each symbol's own stored range", () => {
  /** Every regular minute of `date` from minute `from` to minute `to` (exclusive) of the open. */
  function day(date: string, from = 0, to?: number): Bar[] {
    const s = xnysCalendar.session(date)!;
    const n = to ?? (s.close - s.open) / MINUTE_MS;
    const out: Bar[] = [];
    for (let m = from; m < n; m++) out.push(barAt(s.open + m * MINUTE_MS));
    return out;
  }

  it("measures SPY over 2013 and AAPL over 2014 only, partial first and last days, a missing session as one row", async () => {
    const store = new MemoryBarStore();
    // SPY: 2013-12-24 (an early close), nothing on 12-26 (a missing session), 12-27 and 12-30
    // whole, 12-31 until 11:00 ET.
    await store.writeBars("SPY", [
      ...day("2013-12-24"),
      ...day("2013-12-27"),
      ...day("2013-12-30"),
      ...day("2013-12-31", 0, 90),
    ]);
    // AAPL: data starts at 10:14 ET on 2014-01-02 and ends after 2014-01-06.
    await store.writeBars("AAPL", [
      ...day("2014-01-02", 44),
      ...day("2014-01-03"),
      ...day("2014-01-06"),
    ]);
    const rows = await assessQuality({
      source: store,
      calendar: xnysCalendar,
      symbols: ["SPY", "AAPL"],
    });
    expect(
      rows.map(
        (r) =>
          `${r.symbol} ${r.sessionDate} ${r.expected} ${r.present} ${r.gaps}${r.missingSession ? " missing" : ""}`,
      ),
      "each symbol only over its own sessions; no 2014 rows of SPY nor 2013 rows of AAPL",
    ).toEqual([
      "SPY 2013-12-24 210 210 0",
      "SPY 2013-12-26 390 0 0 missing",
      "SPY 2013-12-27 390 390 0",
      "SPY 2013-12-30 390 390 0",
      "SPY 2013-12-31 90 90 0",
      "AAPL 2014-01-02 346 346 0",
      "AAPL 2014-01-03 390 390 0",
      "AAPL 2014-01-06 390 390 0",
    ]);
    const missing = rows.find((r) => r.missingSession)!;
    expect(
      missing.longestGaps,
      "a missing session is one entry, not a 390-minute gap line",
    ).toEqual([]);
    expect(missing.quality).toBe(0);
  });

  it("narrows each symbol's range with from/to and uses each symbol's own calendar", async () => {
    const store = new MemoryBarStore();
    await store.writeBars("SPY", [...day("2013-12-30"), ...day("2013-12-31")]);
    await store.writeBars("BTC", day("2013-12-31", 0, 10));
    const rows = await assessQuality({
      source: store,
      calendar: xnysCalendar,
      calendarOf: (s) => (s === "BTC" ? alwaysOpenCalendar : undefined),
      symbols: ["SPY", "BTC"],
      from: "2013-12-31",
    });
    expect(rows.map((r) => `${r.symbol} ${r.sessionDate} ${r.expected}`)).toEqual([
      "SPY 2013-12-31 390",
      "BTC 2013-12-31 10",
    ]);
  });
});
