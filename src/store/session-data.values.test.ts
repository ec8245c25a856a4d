import { describe, expect, it } from "vitest";
import type { Bar } from "../domain/bar.js";
import type { Provenance } from "../domain/provenance.js";
import type { SessionDataEvent } from "./events.js";
import { at, makeBar, makeTestCalendar } from "./fixtures.js";
import { SessionData } from "./session-data.js";

const D1 = "2024-01-02";
const D2 = "2024-01-03";
const cal = makeTestCalendar([]);

/** Two stores, one fed through addBar, one through addBarValues, each recording its events. */
function pair() {
  const viaObject = new SessionData({ calendar: cal });
  const viaValues = new SessionData({ calendar: cal });
  const events: [SessionDataEvent[], SessionDataEvent[]] = [[], []];
  viaObject.subscribe((e) => events[0].push(e));
  viaValues.subscribe((e) => events[1].push(e));
  const feed = (symbol: string, bar: Bar, provenance?: Provenance) => {
    const outcome = (f: () => void) => {
      try {
        f();
        return undefined;
      } catch (error) {
        return error;
      }
    };
    const a = outcome(() => viaObject.addBar(symbol, bar, provenance));
    const b = outcome(() =>
      viaValues.addBarValues(
        symbol,
        bar.time,
        bar.open,
        bar.high,
        bar.low,
        bar.close,
        bar.volume,
        provenance,
      ),
    );
    return [a, b] as const;
  };
  return { viaObject, viaValues, events, feed };
}

describe("SessionData.addBarValues", () => {
  it("stores, orders, replaces and reports exactly as addBar does", () => {
    const { viaObject, viaValues, events, feed } = pair();
    const bars: [string, Bar, Provenance?][] = [
      ["A", makeBar(at(D1, 9, 30), 100, 1)],
      ["A", makeBar(at(D1, 9, 32), 101, 2), "replay"],
      ["A", makeBar(at(D1, 9, 31), 102, 3), "refilled"], // late: inserted
      ["A", makeBar(at(D1, 9, 32), 103, 4), "corrected"], // replaces
      ["B", makeBar(at(D1, 8, 0), 50, 5)], // extended hours
      ["A", makeBar(at(D2, 9, 30), 104, 6), "replay"], // starts the next session
    ];
    for (const [symbol, bar, p] of bars) {
      expect(feed(symbol, bar, p), `${symbol} ${bar.time}`).toEqual([undefined, undefined]);
    }
    for (const sd of [viaObject, viaValues]) expect(sd.currentSession).toBe(D2);
    expect(viaValues.getLastNBars("A", 10)).toEqual(viaObject.getLastNBars("A", 10));
    expect(viaValues.getHistoricalBars("A", 10)).toEqual(viaObject.getHistoricalBars("A", 10));
    expect(viaValues.getHistoricalBars("B", 10)).toEqual(viaObject.getHistoricalBars("B", 10));
    expect(viaValues.getSessionMetrics("A", D1)).toEqual(viaObject.getSessionMetrics("A", D1));
    expect(viaValues.getProvenance("A", at(D2, 9, 30))).toBe("replay");
    expect(events[1], "the same events, bar objects included").toEqual(events[0]);
    expect(events[1].length).toBeGreaterThan(bars.length);
  });

  it("refuses what addBar refuses, with the same error, and leaves the store unchanged", () => {
    const { viaObject, viaValues, feed } = pair();
    feed("A", makeBar(at(D2, 9, 30), 100, 1));
    const good = makeBar(at(D2, 9, 31), 100, 1);
    const offers: [string, Bar, Provenance?][] = [
      ["A", { ...good, high: good.low - 1 }],
      ["A", { ...good, time: good.time + 1 }],
      ["A", { ...good, volume: Number.NaN }],
      ["A", { ...good, volume: -1 }],
      ["", good],
      ["A", good, "guess" as Provenance],
      ["A", makeBar(at(D1, 9, 30), 100, 1)], // an earlier session
      ["A", makeBar(at("2024-01-06", 9, 30), 100, 1)], // a Saturday: no session
    ];
    for (const [symbol, bar, p] of offers) {
      const [a, b] = feed(symbol, bar, p);
      expect(a, `addBar refuses ${JSON.stringify(bar)}`).toBeInstanceOf(Error);
      expect(b).toBeInstanceOf((a as Error).constructor);
      expect((b as Error).message).toBe((a as Error).message);
    }
    expect(viaValues.rejectedCount).toBe(offers.length);
    expect(viaValues.rejectionReasons()).toEqual(viaObject.rejectionReasons());
    expect(viaValues.getBarCount("A")).toBe(1);
    expect(viaValues.currentSession).toBe(D2);
  });
});

describe("SymbolSessionData.key", () => {
  it("numbers a store's handles 0, 1, 2, … in creation order, afresh after clear", () => {
    const sd = new SessionData({ calendar: cal });
    for (const s of ["C", "A", "B"]) sd.addBar(s, makeBar(at(D1, 9, 30), 100, 1));
    expect(["C", "A", "B"].map((s) => sd.getSymbol(s)!.key)).toEqual([0, 1, 2]);
    const other = new SessionData({ calendar: cal });
    other.addBar("Z", makeBar(at(D1, 9, 30), 100, 1));
    expect(other.getSymbol("Z")!.key, "each store counts its own").toBe(0);
    sd.clear();
    sd.addBar("B", makeBar(at(D1, 9, 30), 100, 1));
    expect(sd.getSymbol("B")!.key).toBe(0);
  });
});
