import { describe, expect, it } from "vitest";
import { xnysCalendar } from "../calendar/xnys.js";
import { MINUTE_MS } from "../domain/bar.js";
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
      "NONE 2024-01-08",
      "NONE 2024-01-09",
    ]);
    expect(rows[0]).toEqual({
      symbol: "AAPL",
      sessionDate: "2024-01-08",
      expected: 390,
      present: 383,
      missing: 7,
      quality: (383 / 390) * 100,
      gaps: 4,
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
    expect(rows[2]).toMatchObject({ present: 0, missing: 390, quality: 0, gaps: 1 });
  });
});
