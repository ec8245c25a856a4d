import { describe, expect, it } from "vitest";
import { weekdaysCalendar } from "../calendar/utc-day-calendar.js";
import { xnysCalendar } from "../calendar/xnys.js";
import { MemoryBarStore } from "./memory-bar-store.js";
import { storedSessionRange } from "./stored-range.js";

const bar = (time: number) => ({ time, open: 1, high: 1, low: 1, close: 1, volume: 1 });

describe("storedSessionRange", () => {
  it("spans the first bar's session to the last bar's, over the symbols asked for", async () => {
    const store = new MemoryBarStore();
    await store.writeBars("AAPL", [bar(Date.parse("2024-01-03T14:30:00Z"))]);
    await store.writeBars("MSFT", [bar(Date.parse("2024-01-05T20:59:00Z"))]);
    expect(await storedSessionRange(store, ["AAPL", "MSFT"], xnysCalendar)).toEqual({
      from: "2024-01-03",
      to: "2024-01-05",
    });
    expect(await storedSessionRange(store, ["AAPL"], xnysCalendar)).toEqual({
      from: "2024-01-03",
      to: "2024-01-03",
    });
    expect(await storedSessionRange(store, ["NONE"], xnysCalendar), "no bars").toBeUndefined();
  });

  it("keeps only sessions when the first or last bar falls outside every session", async () => {
    const store = new MemoryBarStore();
    // Saturday and Sunday bars on a Monday-to-Friday calendar.
    await store.writeBars("EURUSD", [
      bar(Date.parse("2024-01-06T10:00:00Z")),
      bar(Date.parse("2024-01-09T10:00:00Z")),
      bar(Date.parse("2024-01-14T10:00:00Z")),
    ]);
    expect(await storedSessionRange(store, ["EURUSD"], weekdaysCalendar)).toEqual({
      from: "2024-01-08",
      to: "2024-01-12",
    });
  });
});
