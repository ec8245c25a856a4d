import { describe, expect, it } from "vitest";
import { xnysCalendar } from "../calendar/xnys.js";
import type { Bar } from "../domain/bar.js";
import { TIMEFRAMES } from "../domain/timeframe.js";
import { makeBar } from "./fixtures.js";
import { SessionData } from "./session-data.js";

const MIN = 60_000;

/** Every minute of XNYS `date` from `from` (UTC ms) for `count` minutes. */
function feed(from: number, count: number): Bar[] {
  return Array.from({ length: count }, (_, i) => makeBar(from + i * MIN, 50 + i * 0.05, i));
}

describe("SymbolSessionData", () => {
  it("answers every read exactly like SessionData does", () => {
    const sd = new SessionData({ calendar: xnysCalendar });
    const s = xnysCalendar.session("2024-03-05")!;
    sd.addBars("IBM", feed(s.preOpen, (s.postClose - s.preOpen) / MIN));
    const h = sd.getSymbol("IBM")!;
    expect(h.symbol).toBe("IBM");
    for (const tf of TIMEFRAMES) {
      expect(h.getLatestBar(tf), tf).toEqual(sd.getLatestBar("IBM", tf));
      expect(h.getBarCount(tf), tf).toBe(sd.getBarCount("IBM", tf));
      expect(h.getLastNBars(7, tf), tf).toEqual(sd.getLastNBars("IBM", 7, tf));
      expect(h.getBarsSince(s.open + 3_600_000, tf), tf).toEqual(
        sd.getBarsSince("IBM", s.open + 3_600_000, tf),
      );
    }
    expect(h.getBarCount()).toBe(960);
    expect(h.getBarCount("1h"), "6.5 regular hours: 7 buckets, the last one partial").toBe(7);
    expect(h.getSessionMetrics()).toEqual(sd.getSessionMetrics("IBM"));
  });

  it("cuts the last hour at an XNYS early close (13:00 New York)", () => {
    const sd = new SessionData({ calendar: xnysCalendar });
    const s = xnysCalendar.session("2024-11-29")!;
    expect(s.earlyClose).toBe(true);
    const bars = feed(s.preOpen, (s.postClose - s.preOpen) / MIN);
    sd.addBars("SPY", bars);
    const hours = sd.getLastNBars("SPY", 99, "1h");
    expect(hours.map((b) => new Date(b.time).toISOString().slice(11, 16))).toEqual([
      "14:30",
      "15:30",
      "16:30",
      "17:30",
    ]);
    const lastHalf = bars.filter(
      (b) => b.time >= Date.UTC(2024, 10, 29, 17, 30) && b.time < s.close,
    );
    expect(lastHalf.length).toBe(30);
    expect(hours[3]!.close).toBe(lastHalf.at(-1)!.close);
    expect(hours[3]!.volume).toBe(lastHalf.reduce((v, b) => v + b.volume, 0));
    expect(sd.getSessionMetrics("SPY")!.expectedBarCount).toBe(210);
    expect(sd.getSessionMetrics("SPY")!.barCount).toBe(210);
  });

  it("serves zero-copy series views over the stored columns", () => {
    const sd = new SessionData({ calendar: xnysCalendar });
    const s = xnysCalendar.session("2024-03-05")!;
    sd.addBars("IBM", feed(s.open, 20));
    const a = sd.getSymbol("IBM")!.getSeries()!;
    const b = sd.getSeries("IBM")!;
    expect(a.length).toBe(20);
    expect(a.close.buffer, "both views share the store's buffer").toBe(b.close.buffer);
    expect(a.time.buffer).toBe(a.volume.buffer);
    expect(sd.getSeries("IBM", "5m")!.length).toBe(4);
  });

  it("refreshes cached latest bars of every timeframe after a late or replacing bar", () => {
    const sd = new SessionData({ calendar: xnysCalendar });
    const s = xnysCalendar.session("2024-03-05")!;
    sd.addBars("IBM", feed(s.open, 10));
    const h = sd.getSymbol("IBM")!;
    const before5 = h.getLatestBar("5m")!;
    expect(h.getLatestBar("5m")).toBe(before5);
    sd.addBar("IBM", { time: s.open + 7 * MIN, open: 60, high: 900, low: 1, close: 61, volume: 5 });
    expect(h.getLatestBar("5m")!.high).toBe(900);
    expect(h.getLatestBar("1h")!.low).toBe(1);
    expect(h.getLatestBar()).toEqual(sd.getLastNBars("IBM", 1)[0]);
  });
});
