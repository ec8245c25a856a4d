import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { runs } from "../../test/fast-check.js";
import type { Bar } from "../domain/bar.js";
import { InvalidArgumentError } from "../domain/errors.js";
import type { Timeframe } from "../domain/timeframe.js";
import { BarBuffer, BarView } from "./bar-buffer.js";
import { makeTestCalendar } from "./fixtures.js";
import { SessionData } from "./session-data.js";

const DATE = "2024-01-02";
const OPEN = Date.UTC(2024, 0, 2, 9, 30);

function bar(k: number): Bar {
  const open = 100 + k * 0.25;
  const close = open + ((k % 5) - 2) * 0.1;
  return {
    time: OPEN + k * 60_000,
    open,
    high: Math.max(open, close) + 0.3,
    low: Math.min(open, close) - 0.2,
    close,
    volume: 1_000 + k,
  };
}

function filled(count: number): SessionData {
  const sd = new SessionData({ calendar: makeTestCalendar() });
  sd.startSession(DATE);
  for (let k = 0; k < count; k++) sd.addBar("AAPL", bar(k));
  return sd;
}

function bufferBars(buf: BarBuffer): Bar[] {
  return Array.from({ length: buf.length }, (_, i) => ({
    time: buf.time[i]!,
    open: buf.open[i]!,
    high: buf.high[i]!,
    low: buf.low[i]!,
    close: buf.close[i]!,
    volume: buf.volume[i]!,
  }));
}

describe("readLastN into a BarBuffer", () => {
  it("copies the same bars getLastNBars returns, oldest first, and sets length", () => {
    const sd = filled(50);
    const buf = new BarBuffer(20);
    expect(sd.readLastN("AAPL", 20, buf)).toBe(20);
    expect(buf.length).toBe(20);
    expect(bufferBars(buf), "the last 20 bars, as objects would give them").toEqual(
      sd.getLastNBars("AAPL", 20),
    );
    expect(buf.time[19], "index 19 is the latest bar").toBe(bar(49).time);
  });

  it("copies fewer when the session has fewer, and 0 for an unknown symbol", () => {
    const sd = filled(7);
    const buf = new BarBuffer(20);
    expect(sd.readLastN("AAPL", 20, buf)).toBe(7);
    expect(bufferBars(buf)).toEqual(sd.getLastNBars("AAPL", 20));
    expect(sd.readLastN("MSFT", 20, buf), "no bars of MSFT").toBe(0);
    expect(buf.length).toBe(0);
  });

  it("reads the derived timeframes like getLastNBars does", () => {
    const sd = filled(61);
    const buf = new BarBuffer(16);
    for (const tf of ["5m", "15m", "30m", "1h"] as Timeframe[]) {
      const n = sd.readLastN("AAPL", 5, buf, tf);
      expect(bufferBars(buf), `timeframe ${tf}`).toEqual(sd.getLastNBars("AAPL", 5, tf));
      expect(n).toBe(sd.getLastNBars("AAPL", 5, tf).length);
    }
  });

  it("refuses a count over the buffer's capacity, a negative count and a bad capacity", () => {
    const sd = filled(30);
    const buf = new BarBuffer(10);
    expect(() => sd.readLastN("AAPL", 11, buf)).toThrow(
      /n \(11\) exceeds the buffer's capacity \(10\)/,
    );
    expect(() => sd.readLastN("NONE", 11, buf), "also for an unknown symbol").toThrow(
      InvalidArgumentError,
    );
    expect(() => sd.readLastN("AAPL", -1, buf)).toThrow(InvalidArgumentError);
    expect(() => new BarBuffer(0)).toThrow(/positive integer, got 0/);
    expect(() => new BarBuffer(2.5)).toThrow(InvalidArgumentError);
  });

  it("agrees with getLastNBars for any session length and n (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 64 }), (len, n) => {
        const sd = filled(len);
        const buf = new BarBuffer(64);
        const count = sd.readLastN("AAPL", n, buf);
        const objects = sd.getLastNBars("AAPL", n);
        return (
          count === objects.length && JSON.stringify(bufferBars(buf)) === JSON.stringify(objects)
        );
      }),
      { numRuns: runs(100) },
    );
  });

  it("reads through a symbol handle the same way", () => {
    const sd = filled(40);
    const buf = new BarBuffer(20);
    const handle = sd.getSymbol("AAPL")!;
    expect(handle.readLastN(20, buf)).toBe(20);
    expect(bufferBars(buf)).toEqual(sd.getLastNBars("AAPL", 20));
  });
});

describe("viewLastN onto a BarView", () => {
  it("reads the same bars getLastNBars returns, without copying, and 0 for an unknown symbol", () => {
    const sd = filled(50);
    const view = new BarView();
    expect(sd.viewLastN("AAPL", 20, view)).toBe(20);
    const read = Array.from({ length: view.length }, (_, i) => ({
      time: view.time(i),
      open: view.open(i),
      high: view.high(i),
      low: view.low(i),
      close: view.close(i),
      volume: view.volume(i),
    }));
    expect(read).toEqual(sd.getLastNBars("AAPL", 20));
    expect(sd.viewLastN("AAPL", 500, view), "fewer when the session has fewer").toBe(50);
    expect(view.close(49)).toBe(bar(49).close);
    expect(sd.viewLastN("MSFT", 20, view)).toBe(0);
    expect(view.length).toBe(0);
    expect(() => sd.viewLastN("AAPL", -1, view)).toThrow(InvalidArgumentError);
    expect(sd.getSymbol("AAPL")!.viewLastN(3, view, "5m")).toBe(3);
    expect(view.close(2)).toBe(sd.getLastNBars("AAPL", 3, "5m")[2]!.close);
  });
});
