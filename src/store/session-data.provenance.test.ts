import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { runs } from "../../test/fast-check.js";
import type { Bar } from "../domain/bar.js";
import { InvalidArgumentError } from "../domain/errors.js";
import { PROVENANCES, type Provenance, type ProvenanceCounts } from "../domain/provenance.js";
import type { SessionDataEvent } from "./events.js";
import { makeTestCalendar } from "./fixtures.js";
import { SessionData } from "./session-data.js";

const cal = makeTestCalendar(["2024-01-03"]);
const DATES = ["2024-01-02", "2024-01-03", "2024-01-04"];

function barAt(date: string, minute: number, price = 100): Bar {
  const s = cal.session(date)!;
  return {
    time: s.preOpen + minute * 60_000,
    open: price,
    high: price + 1,
    low: price - 1,
    close: price,
    volume: 10,
  };
}

/** Counts recomputed from scratch: the provenance of each regular bar the store now holds. */
function recount(sd: SessionData, symbol: string): ProvenanceCounts {
  const s = cal.session(sd.currentSession!)!;
  const counts = { live: 0, replay: 0, refilled: 0, corrected: 0 };
  for (const bar of sd.getLastNBars(symbol, 1e9)) {
    if (bar.time < s.open || bar.time >= s.close) continue;
    counts[sd.getProvenance(symbol, bar.time)!]++;
  }
  return counts;
}

describe("SessionData provenance", () => {
  it("defaults to live and reaches getProvenance, the metrics, the bar event and the hook", () => {
    const sd = new SessionData({ calendar: cal });
    const events: SessionDataEvent[] = [];
    const hooked: Provenance[] = [];
    sd.subscribe((e) => events.push(e));
    sd.subscribeBars({ onBar: (...args) => hooked.push(args[10]) });
    sd.addBar("S", barAt(DATES[0]!, 100));
    sd.addBar("S", barAt(DATES[0]!, 101), "replay");
    const t = barAt(DATES[0]!, 100).time;
    expect(sd.getProvenance("S", t), "addBar without a provenance stores live").toBe("live");
    expect(sd.getProvenance("S", t + 60_000)).toBe("replay");
    expect(sd.getProvenance("S", t + 120_000), "no bar at that minute").toBeUndefined();
    expect(sd.getProvenance("NONE", t), "a symbol the store never held").toBeUndefined();
    expect(sd.getSessionMetrics("S")!.provenance).toEqual({
      live: 1,
      replay: 1,
      refilled: 0,
      corrected: 0,
    });
    const bars = events.filter((e) => e.type === "bar");
    expect(bars.map((e) => e.provenance)).toEqual(["live", "replay"]);
    expect(hooked, "the hook's 11th argument").toEqual(["live", "replay"]);
  });

  it("refuses a provenance that names none, counted, the store unchanged", () => {
    const sd = new SessionData({ calendar: cal });
    sd.addBar("S", barAt(DATES[0]!, 100));
    const bad = "Live" as Provenance;
    expect(() => sd.addBar("S", barAt(DATES[0]!, 101), bad)).toThrow(InvalidArgumentError);
    expect(() => sd.addBar("S", barAt(DATES[0]!, 101), bad)).toThrow(/got "Live"/);
    expect(sd.getBarCount("S"), "nothing stored").toBe(1);
    expect(sd.rejectedCount).toBe(2);
    expect(sd.rejectionReasons()).toEqual({ InvalidArgumentError: 2 });
    const result = sd.addBars("S", [barAt(DATES[0]!, 102)], bad);
    expect(result.rejected).toBe(1);
  });

  it("a replacement takes over the minute's provenance; extended hours count nowhere", () => {
    const sd = new SessionData({ calendar: cal });
    sd.addBars("S", [barAt(DATES[0]!, 0), barAt(DATES[0]!, 90), barAt(DATES[0]!, 91)]);
    sd.addBar("S", barAt(DATES[0]!, 91, 101), "corrected");
    sd.addBar("S", barAt(DATES[0]!, 0, 101), "corrected");
    sd.addBar("S", barAt(DATES[0]!, 92), "refilled");
    const m = sd.getSessionMetrics("S")!;
    expect(m.provenance, "minute 0 is pre-market: stored, not counted").toEqual({
      live: 1,
      replay: 0,
      refilled: 1,
      corrected: 1,
    });
    expect(sd.getProvenance("S", barAt(DATES[0]!, 0).time)).toBe("corrected");
    expect(m.barCount).toBe(3);
  });

  it("history keeps each session's counts; the next session starts uniform again", () => {
    const sd = new SessionData({ calendar: cal, historySessions: 2 });
    sd.addBars("S", [barAt(DATES[0]!, 90), barAt(DATES[0]!, 92)], "replay");
    sd.addBar("S", barAt(DATES[0]!, 91), "refilled");
    sd.addBars("S", [barAt(DATES[1]!, 90), barAt(DATES[1]!, 91)]);
    expect(sd.getSessionMetrics("S", DATES[0])!.provenance).toEqual({
      live: 0,
      replay: 2,
      refilled: 1,
      corrected: 0,
    });
    expect(sd.getSessionMetrics("S")!.provenance).toEqual({
      live: 2,
      replay: 0,
      refilled: 0,
      corrected: 0,
    });
    // The second session reuses the first one's codes column: none of its codes may show.
    sd.addBar("S", barAt(DATES[1]!, 93), "corrected");
    expect(recount(sd, "S")).toEqual(sd.getSessionMetrics("S")!.provenance);
    expect(sd.getProvenance("S", barAt(DATES[1]!, 91).time)).toBe("live");
  });

  it("the counts equal a recount from scratch for any arrival order, across sessions", () => {
    const write = fc.record({
      day: fc.integer({ min: 0, max: 2 }),
      minute: fc.oneof(fc.integer({ min: 0, max: 539 }), fc.integer({ min: 85, max: 100 })),
      provenance: fc.constantFrom(...PROVENANCES),
      price: fc.integer({ min: 1, max: 50 }),
    });
    fc.assert(
      fc.property(fc.array(write, { minLength: 1, maxLength: 300 }), (writes) => {
        const sd = new SessionData({ calendar: cal, historySessions: 3 });
        // Sessions go forward only: the writes of each day in their drawn order, day by day.
        const ordered = [...writes].sort((a, b) => a.day - b.day);
        const model = new Map<number, Provenance>();
        let day = -1;
        for (const w of ordered) {
          if (w.day !== day) {
            day = w.day;
            model.clear();
          }
          const bar = barAt(DATES[w.day]!, w.minute, w.price);
          sd.addBar("S", bar, w.provenance);
          model.set(bar.time, w.provenance);
          const m = sd.getSessionMetrics("S")!;
          expect(m.provenance, "incremental counts = recount").toEqual(recount(sd, "S"));
          const sum = m.provenance.live + m.provenance.replay;
          expect(sum + m.provenance.refilled + m.provenance.corrected).toBe(m.barCount);
        }
        for (const [time, p] of model) {
          expect(sd.getProvenance("S", time), "the last write of a minute wins").toBe(p);
        }
      }),
      { numRuns: runs(200) },
    );
  });
});
