import { describe, expect, it, vi } from "vitest";
import { alwaysOpenCalendar } from "../calendar/utc-day-calendar.js";
import { xnysCalendar } from "../calendar/xnys.js";
import type { Bar } from "../domain/bar.js";
import {
  InvalidArgumentError,
  InvalidBarError,
  InvalidTimeframeError,
  SessionMismatchError,
} from "../domain/errors.js";
import type { Timeframe } from "../domain/timeframe.js";
import type { SessionDataEvent } from "./events.js";
import { at, makeBar, makeTestCalendar } from "./fixtures.js";
import { getSessionData, resetSessionData } from "./instance.js";
import { SessionData } from "./session-data.js";

const D1 = "2024-01-02"; // a Tuesday
const D2 = "2024-01-03";
const D3 = "2024-01-04";
const cal = makeTestCalendar([D3]);

function store(historySessions = 5): SessionData {
  return new SessionData({ calendar: cal, historySessions });
}

/** Bars every minute of [from, to) on `date` (times hh:mm UTC). */
function minutes(date: string, from: [number, number], to: [number, number]): Bar[] {
  const out: Bar[] = [];
  for (let t = at(date, ...from), i = 0; t < at(date, ...to); t += 60_000, i++) {
    out.push(makeBar(t, 100 + i * 0.01, i));
  }
  return out;
}

describe("SessionData reads", () => {
  it("appends bars and reads them back", () => {
    const sd = store();
    const bars = minutes(D1, [9, 30], [9, 40]);
    expect(sd.addBars("AAPL", bars)).toEqual({ accepted: 10, rejected: 0, errors: [] });
    expect(sd.currentSession).toBe(D1);
    expect(sd.getBarCount("AAPL")).toBe(10);
    expect(sd.getLatestBar("AAPL")).toEqual(bars[9]);
    expect(sd.getLastNBars("AAPL", 3)).toEqual(bars.slice(7));
    expect(sd.getLastNBars("AAPL", 50)).toEqual(bars);
    expect(sd.getLastNBars("AAPL", 0)).toEqual([]);
    expect(sd.getBarsSince("AAPL", bars[4]!.time + 1)).toEqual(bars.slice(5));
    expect(sd.getBarsSince("AAPL", 0)).toEqual(bars);
    expect(sd.symbols()).toEqual(["AAPL"]);
    const series = sd.getSeries("AAPL")!;
    expect(series.length).toBe(10);
    expect([...series.close]).toEqual(bars.map((b) => b.close));
    expect(series.time).toBeInstanceOf(Float64Array);
  });

  it("answers empty for unknown symbols but still checks the timeframe", () => {
    const sd = store();
    expect(sd.getLatestBar("X")).toBeUndefined();
    expect(sd.getBarCount("X")).toBe(0);
    expect(sd.getLastNBars("X", 5)).toEqual([]);
    expect(sd.getSeries("X")).toBeUndefined();
    expect(sd.getSymbol("X")).toBeUndefined();
    expect(sd.getSessionMetrics("X")).toBeUndefined();
    expect(() => sd.getBarCount("X", "2m" as Timeframe)).toThrow(InvalidTimeframeError);
    sd.addBar("A", makeBar(at(D1, 9, 30)));
    for (const read of [
      () => sd.getLatestBar("A", "4h" as Timeframe),
      () => sd.getLastNBars("A", 2, "1d" as Timeframe),
      () => sd.getBarsSince("A", 0, "" as Timeframe),
      () => sd.getSymbol("A")!.getBarCount("2h" as Timeframe),
      () => sd.getLatestBarsMulti(["A"], "7m" as Timeframe),
      () => sd.getHistoricalBars("A", 1, "x" as Timeframe),
    ]) {
      expect(read, "every read refuses an unknown timeframe").toThrow(InvalidTimeframeError);
    }
    expect(() => sd.getLastNBars("A", -1)).toThrow(InvalidArgumentError);
    for (const since of [Number.NaN, "2024-01-02" as unknown as number]) {
      expect(() => sd.getBarsSince("A", since), "a bound that is no number").toThrow(
        /getBarsSince: time must be a number/,
      );
      expect(() => sd.getBarsSince("X", since), "also for a symbol it does not hold").toThrow(
        InvalidArgumentError,
      );
      expect(() => sd.getSymbol("A")!.getBarsSince(since)).toThrow(InvalidArgumentError);
    }
  });

  it("reads several symbols at once, leaving out symbols without bars", () => {
    const sd = store();
    sd.addBar("A", makeBar(at(D1, 9, 30), 10));
    sd.addBar("B", makeBar(at(D1, 9, 31), 20));
    const m = sd.getLatestBarsMulti(["A", "B", "C"]);
    expect([...m.keys()]).toEqual(["A", "B"]);
    expect(m.get("B")!.open).toBe(20);
  });

  it("returns a frozen latest bar that stays the same object until the next write", () => {
    const sd = store();
    sd.addBar("A", makeBar(at(D1, 9, 30)));
    const h = sd.getSymbol("A")!;
    const first = h.getLatestBar()!;
    expect(Object.isFrozen(first)).toBe(true);
    expect(h.getLatestBar()).toBe(first);
    sd.addBar("A", makeBar(at(D1, 9, 31), 200));
    expect(h.getLatestBar()!.open).toBe(200);
  });
});

describe("SessionData metrics", () => {
  it("computes metrics over regular bars only, with expected-so-far from the clock", () => {
    const sd = store();
    const pre = makeBar(at(D1, 8, 0), 50, 1);
    const regular = [
      { time: at(D1, 9, 30), open: 10, high: 12, low: 9, close: 11, volume: 100 },
      { time: at(D1, 9, 32), open: 11, high: 13, low: 10, close: 12, volume: 300 },
    ];
    const post = makeBar(at(D1, 16, 0), 500, 2);
    sd.addBar("A", pre);
    sd.addBars("A", regular);
    expect(sd.clock).toBe(at(D1, 9, 33));
    let m = sd.getSessionMetrics("A")!;
    expect(m).toMatchObject({
      symbol: "A",
      sessionDate: D1,
      open: 10,
      high: 13,
      low: 9,
      close: 12,
      volume: 400,
      barCount: 2,
      expectedBarCount: 3,
      missingBarCount: 1,
      firstBarTime: at(D1, 9, 30),
      lastBarTime: at(D1, 9, 32),
      filledBarCount: 0,
      unfillableBarCount: 0,
    });
    expect(m.vwap).toBeCloseTo((((12 + 9 + 11) / 3) * 100 + ((13 + 10 + 12) / 3) * 300) / 400, 12);
    expect(m.barQuality).toBeCloseTo((2 / 3) * 100, 12);
    sd.addBar("A", post);
    expect(sd.getBarCount("A"), "extended-hours bars are stored").toBe(4);
    m = sd.getSessionMetrics("A")!;
    expect(m.close, "post-market bars stay out of the metrics").toBe(12);
    expect(m.expectedBarCount, "expected stops at the close").toBe(390);
    sd.setRepairCounts("A", { filled: 3, unfillable: 2 });
    expect(sd.getSessionMetrics("A")).toMatchObject({ filledBarCount: 3, unfillableBarCount: 2 });
  });

  it("has NaN prices and quality 100 before the first regular bar", () => {
    const sd = store();
    sd.addBar("A", makeBar(at(D1, 8, 0)));
    const m = sd.getSessionMetrics("A")!;
    expect(m.barCount).toBe(0);
    expect(m.open).toBeNaN();
    expect(m.vwap).toBeNaN();
    expect(m.expectedBarCount).toBe(0);
    expect(m.barQuality).toBe(100);
  });

  it("advanceClock raises the clock monotonically and counts expected bars up to it", () => {
    const sd = store();
    expect(sd.clock).toBeNaN();
    sd.addBar("A", makeBar(at(D1, 9, 30)));
    sd.advanceClock(at(D1, 10, 30));
    sd.advanceClock(at(D1, 10, 0));
    expect(sd.clock).toBe(at(D1, 10, 30));
    expect(sd.getSessionMetrics("A")).toMatchObject({ expectedBarCount: 60, missingBarCount: 59 });
    expect(() => sd.advanceClock(Number.NaN)).toThrow(InvalidArgumentError);
    expect(
      () => sd.advanceClock(Number.POSITIVE_INFINITY),
      "an infinite clock would survive every roll",
    ).toThrow(/finite number, got Infinity/);
  });
});

describe("SessionData timeframes", () => {
  it("aligns derived bars to the session open and leaves extended hours out", () => {
    const sd = store();
    const bars = minutes(D1, [8, 0], [10, 45]);
    sd.addBars("A", bars);
    const regular = bars.filter((b) => b.time >= at(D1, 9, 30));
    const five = sd.getLastNBars("A", 100, "5m");
    expect(five.length).toBe(15);
    expect(five[0]).toEqual({
      time: at(D1, 9, 30),
      open: regular[0]!.open,
      high: Math.max(...regular.slice(0, 5).map((b) => b.high)),
      low: Math.min(...regular.slice(0, 5).map((b) => b.low)),
      close: regular[4]!.close,
      volume: regular.slice(0, 5).reduce((s, b) => s + b.volume, 0),
    });
    const hours = sd.getLastNBars("A", 10, "1h");
    expect(hours.map((b) => b.time)).toEqual([at(D1, 9, 30), at(D1, 10, 30)]);
    expect(sd.getBarCount("A", "15m")).toBe(5);
    expect(sd.getBarCount("A", "30m")).toBe(3);
    expect(sd.getLatestBar("A", "1h")!.close).toBe(regular.at(-1)!.close);
  });

  it("cuts the last bar at an early close", () => {
    const sd = store();
    sd.startSession(D3);
    const bars = minutes(D3, [12, 0], [17, 0]);
    sd.addBars("A", bars);
    const hours = sd.getLastNBars("A", 10, "1h");
    expect(hours.map((b) => b.time)).toEqual([at(D3, 11, 30), at(D3, 12, 30)]);
    const last = bars.filter((b) => b.time >= at(D3, 12, 30) && b.time < at(D3, 13, 0));
    expect(hours[1]!.close, "the 12:30 bar ends at the 13:00 close").toBe(last.at(-1)!.close);
    expect(hours[1]!.volume).toBe(last.reduce((s, b) => s + b.volume, 0));
    expect(sd.getBarCount("A")).toBe(bars.length);
    expect(sd.getSessionMetrics("A")!.expectedBarCount).toBe(210);
  });

  it("gives late and replacing bars the same result as in-order arrival", () => {
    const bars = minutes(D1, [9, 30], [11, 0]);
    const inOrder = store();
    inOrder.addBars("A", bars);
    const shuffled = store();
    const order = bars.map((_, i) => i).sort((a, b) => ((a * 37) % 91) - ((b * 37) % 91));
    shuffled.addBar("A", makeBar(bars[5]!.time, 999, 3)); // overwritten below
    for (const i of order) shuffled.addBar("A", bars[i]!);
    for (const tf of ["1m", "5m", "15m", "30m", "1h"] as const) {
      expect(shuffled.getLastNBars("A", 1000, tf), tf).toEqual(inOrder.getLastNBars("A", 1000, tf));
    }
    expect(shuffled.getSessionMetrics("A")).toEqual(inOrder.getSessionMetrics("A"));
  });
});

describe("SessionData sessions", () => {
  it("rolls sessions into history and trims it to historySessions", () => {
    const sd = store(2);
    for (const date of [D1, D2, D3]) sd.addBars("A", minutes(date, [9, 30], [9, 35]));
    sd.addBar("B", makeBar(at("2024-01-05", 9, 30)));
    expect(sd.currentSession).toBe("2024-01-05");
    expect(sd.historySessionDates()).toEqual([D2, D3]);
    expect(sd.symbols()).toEqual(["B"]);
    expect(sd.getBarCount("A")).toBe(0);
    const hist = sd.getHistoricalBars("A", 7);
    expect(hist.map((b) => b.time)).toEqual([
      at(D2, 9, 33),
      at(D2, 9, 34),
      ...minutes(D3, [9, 30], [9, 35]).map((b) => b.time),
    ]);
    expect(sd.getHistoricalBars("A", 2, "5m").map((b) => b.time)).toEqual([
      at(D2, 9, 30),
      at(D3, 9, 30),
    ]);
    const m = sd.getSessionMetrics("A", D3)!;
    expect(m).toMatchObject({ sessionDate: D3, barCount: 5, expectedBarCount: 210 });
    expect(sd.getSessionMetrics("A", D1), "D1 left history").toBeUndefined();
  });

  it("keeps a getSymbol handle valid across sessions", () => {
    const sd = store();
    sd.addBar("A", makeBar(at(D1, 9, 30)));
    const h = sd.getSymbol("A")!;
    sd.addBar("A", makeBar(at(D2, 9, 31), 300));
    expect(h.getBarCount()).toBe(1);
    expect(h.getLatestBar()!.open).toBe(300);
    expect(h.getHistoricalBars(5).length).toBe(1);
  });

  it("refuses bars of earlier sessions or of no session, leaving the store unchanged", () => {
    const sd = store();
    sd.addBars("A", minutes(D2, [9, 30], [9, 33]));
    const before = JSON.stringify([sd.getLastNBars("A", 99), sd.getSessionMetrics("A"), sd.clock]);
    const events: SessionDataEvent[] = [];
    sd.subscribe((e) => events.push(e));
    expect(() => sd.addBar("A", makeBar(at(D1, 9, 30)))).toThrow(SessionMismatchError);
    expect(() => sd.addBar("A", makeBar(at(D2, 21, 0)))).toThrow(/falls in no session/);
    expect(() => sd.addBar("A", makeBar(at("2024-01-06", 9, 30)))).toThrow(SessionMismatchError);
    expect(() => sd.addBar("A", { ...makeBar(at(D2, 9, 40)), high: 1 })).toThrow(InvalidBarError);
    expect(() => sd.addBar("", makeBar(at(D2, 9, 40)))).toThrow(InvalidBarError);
    const after = JSON.stringify([sd.getLastNBars("A", 99), sd.getSessionMetrics("A"), sd.clock]);
    expect(after).toBe(before);
    expect(sd.currentSession).toBe(D2);
    expect(sd.rejectedCount).toBe(5);
    expect(sd.rejectionReasons()).toEqual({
      "SessionMismatchError:earlier session": 1,
      "SessionMismatchError:no session": 2,
      "InvalidBarError:high": 1,
      "InvalidBarError:symbol": 1,
    });
    expect(sd.recentRejections().map((r) => r.time)).toEqual([
      at(D1, 9, 30),
      at(D2, 21, 0),
      at("2024-01-06", 9, 30),
      at(D2, 9, 40),
      at(D2, 9, 40),
    ]);
    expect(events.map((e) => e.type)).toEqual(Array(5).fill("rejected"));
    const result = sd.addBars("A", [makeBar(at(D1, 9, 0)), makeBar(at(D2, 9, 40))]);
    expect(result.accepted).toBe(1);
    expect(result.rejected).toBe(1);
    expect(result.errors[0]!.index).toBe(0);
    expect(result.errors[0]!.error).toBeInstanceOf(SessionMismatchError);
  });

  it("keeps only the last 100 rejections", () => {
    const sd = store();
    sd.addBar("A", makeBar(at(D2, 9, 30)));
    for (let i = 0; i < 150; i++) sd.addBars("A", [makeBar(at(D1, 9, 0) + i * 60_000)]);
    const recent = sd.recentRejections();
    expect(sd.rejectedCount).toBe(150);
    expect(recent.length).toBe(100);
    expect(recent[0]!.time).toBe(at(D1, 9, 0) + 50 * 60_000);
    expect(recent[99]!.time).toBe(at(D1, 9, 0) + 149 * 60_000);
  });

  it("startSession rolls forward, ignores the same date and refuses earlier or closed dates", () => {
    const sd = store();
    sd.addBar("A", makeBar(at(D1, 9, 30)));
    sd.startSession(D1);
    expect(sd.getBarCount("A")).toBe(1);
    sd.startSession(D2);
    expect(sd.currentSession).toBe(D2);
    expect(sd.historySessionDates()).toEqual([D1]);
    expect(() => sd.startSession(D1)).toThrow(SessionMismatchError);
    expect(() => sd.startSession("2024-01-06")).toThrow(SessionMismatchError);
    expect(() => sd.startSession("2024-01-06")).toThrow(
      "cannot start session 2024-01-06: 2024-01-06 is not a session of TEST",
    );
    expect(sd.getSessionMetrics("A")).toMatchObject({ sessionDate: D2, barCount: 0 });
  });

  it("keeps no history with historySessions 0", () => {
    const sd = store(0);
    sd.addBar("A", makeBar(at(D1, 9, 30)));
    sd.addBar("B", makeBar(at(D2, 9, 30)));
    expect(sd.historySessionDates()).toEqual([]);
    expect(sd.getSymbol("A"), "a symbol with nothing left leaves the store").toBeUndefined();
    expect(() => new SessionData({ historySessions: -1 })).toThrow(InvalidArgumentError);
  });
});

describe("SessionData events and lifecycle", () => {
  it("emits bar and sessionStart events after the state is consistent", () => {
    const sd = store();
    const seen: string[] = [];
    const off = sd.subscribe((e) => {
      if (e.type === "bar") seen.push(`${e.arrival}:${e.regular}:${sd.getBarCount(e.symbol)}`);
      else seen.push(e.type);
    });
    sd.addBar("A", makeBar(at(D1, 9, 31)));
    sd.addBar("A", makeBar(at(D1, 9, 30)));
    sd.addBar("A", makeBar(at(D1, 9, 30), 5));
    sd.addBar("A", makeBar(at(D1, 8, 30)));
    off();
    sd.addBar("A", makeBar(at(D1, 9, 32)));
    expect(seen).toEqual([
      "sessionStart",
      "append:true:1",
      "insert:true:2",
      "replace:true:2",
      "insert:false:3",
    ]);
  });

  it("survives a throwing listener and reports it as a warning", () => {
    const sd = store();
    const warn = vi.spyOn(process, "emitWarning").mockImplementation(() => {});
    const later = vi.fn();
    sd.subscribe(() => {
      throw new Error("boom");
    });
    sd.subscribe(later);
    sd.addBar("A", makeBar(at(D1, 9, 30)));
    expect(sd.getBarCount("A")).toBe(1);
    expect(later, "later listeners still run").toHaveBeenCalledTimes(2);
    expect(warn).toHaveBeenCalled();
    expect(String(warn.mock.calls[0]![0])).toMatch(/boom/);
    warn.mockRestore();
  });

  it("clear empties everything and detaches handles", () => {
    const sd = store();
    sd.addBar("A", makeBar(at(D1, 9, 30)));
    sd.addBar("A", makeBar(at(D2, 9, 30)));
    const h = sd.getSymbol("A")!;
    const events: string[] = [];
    sd.subscribe((e) => events.push(e.type));
    sd.clear();
    expect(events).toEqual(["clear"]);
    expect(sd.currentSession).toBeUndefined();
    expect(sd.clock).toBeNaN();
    expect(sd.symbols()).toEqual([]);
    expect(sd.historySessionDates()).toEqual([]);
    expect(sd.getSymbol("A")).toBeUndefined();
    expect(h.getBarCount()).toBe(0);
    expect(h.getHistoricalBars(10)).toEqual([]);
    sd.addBar("A", makeBar(at(D1, 9, 30)));
    expect(sd.currentSession, "after clear an earlier session is fine").toBe(D1);
  });

  it("defaults to the XNYS calendar, and the process-wide store is resettable", () => {
    expect(new SessionData().calendar).toBe(xnysCalendar);
    resetSessionData();
    const a = getSessionData();
    expect(getSessionData()).toBe(a);
    a.addBar("X", makeBar(at("2024-01-02", 15, 0)));
    expect(a.currentSession).toBe("2024-01-02");
    resetSessionData();
    expect(getSessionData()).not.toBe(a);
    expect(a.getBarCount("X")).toBe(0);
  });

  it("works with the 24/7 calendar across midnight", () => {
    const sd = new SessionData({ calendar: alwaysOpenCalendar });
    sd.addBar("BTC", makeBar(at(D1, 23, 59)));
    sd.addBar("BTC", makeBar(at(D2, 0, 0)));
    expect(sd.currentSession).toBe(D2);
    expect(sd.getHistoricalBars("BTC", 5).map((b) => b.time)).toEqual([at(D1, 23, 59)]);
    expect(sd.getSessionMetrics("BTC", D1)!.expectedBarCount).toBe(1440);
  });
});
