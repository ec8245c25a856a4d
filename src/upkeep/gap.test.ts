import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { runs } from "../../test/fast-check.js";
import { MINUTE_MS } from "../domain/bar.js";
import { findGaps, type Gap, windowEnd } from "./gap.js";

const T0 = Date.UTC(2024, 0, 8, 14, 30);
const at = (m: number) => T0 + m * MINUTE_MS;

/** The obvious O(minutes) answer: walk every expected minute against a Set. */
function naiveGaps(symbol: string, present: readonly number[], from: number, to: number): Gap[] {
  const have = new Set(present);
  const out: Gap[] = [];
  let start = Number.NaN;
  for (let t = from; t <= to; t += MINUTE_MS) {
    const missing = t < to && !have.has(t);
    if (missing && Number.isNaN(start)) start = t;
    if (!missing && !Number.isNaN(start)) {
      out.push({ symbol, start, end: t, count: (t - start) / MINUTE_MS });
      start = Number.NaN;
    }
  }
  return out;
}

describe("findGaps", () => {
  it("groups missing minutes into gaps in time order, start inclusive, end exclusive", () => {
    const times = [0, 1, 4, 5, 6, 9].map(at);
    expect(findGaps("X", times, at(0), at(12))).toEqual([
      { symbol: "X", start: at(2), end: at(4), count: 2 },
      { symbol: "X", start: at(7), end: at(9), count: 2 },
      { symbol: "X", start: at(10), end: at(12), count: 2 },
    ]);
  });

  it("ignores bars outside the window (extended hours) and honours the column length", () => {
    const times = new Float64Array([at(-3), at(-1), at(0), at(1), at(2), at(3), at(99)]);
    expect(findGaps("X", times, at(0), at(3))).toEqual([]);
    expect(findGaps("X", times, at(0), at(5))).toEqual([
      { symbol: "X", start: at(4), end: at(5), count: 1 },
    ]);
    expect(findGaps("X", times, at(0), at(4), 4), "only 4 entries are data").toEqual([
      { symbol: "X", start: at(2), end: at(4), count: 2 },
    ]);
  });

  it("returns one gap for an empty column and nothing for an empty window", () => {
    expect(findGaps("X", [], at(0), at(390))).toEqual([
      { symbol: "X", start: at(0), end: at(390), count: 390 },
    ]);
    expect(findGaps("X", [], at(5), at(5))).toEqual([]);
  });

  it("agrees with a naive walk for any set of present minutes", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: -20, max: 420 }), { maxLength: 420 }),
        fc.integer({ min: 0, max: 390 }),
        (minutes, upTo) => {
          const times = minutes.map(at).sort((a, b) => a - b);
          expect(findGaps("S", times, at(0), at(upTo))).toEqual(
            naiveGaps("S", times, at(0), at(upTo)),
          );
        },
      ),
      { numRuns: runs(300) },
    );
  });
});

describe("windowEnd", () => {
  it("counts minutes whose bar opens before `until`, capped at the close", () => {
    expect(windowEnd(at(0), at(390), at(10))).toBe(at(10));
    expect(windowEnd(at(0), at(390), at(10) + 1), "minute 10 has opened").toBe(at(11));
    expect(windowEnd(at(0), at(390), at(500))).toBe(at(390));
    expect(windowEnd(at(0), at(390), at(-5)), "before the open").toBe(at(0));
    expect(windowEnd(at(0), at(390), Number.NaN), "no clock yet").toBe(at(0));
  });
});
