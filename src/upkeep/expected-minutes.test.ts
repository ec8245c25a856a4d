import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { runs } from "../../test/fast-check.js";
import type { Session } from "../calendar/trading-calendar.js";
import { xnysCalendar } from "../calendar/xnys.js";
import { xtksCalendar } from "../calendar/xtks.js";
import { MINUTE_MS } from "../domain/bar.js";
import { expectedWindows, minutesIn, presentIn, qualityPercent } from "./expected-minutes.js";

const NYSE = xnysCalendar.session("2024-01-08")!;
const TOKYO = xtksCalendar.session("2025-01-06")!;

/** The definition spelled out minute by minute. */
function naive(s: Session, first: number, last: number, until: number): number[] {
  const out: number[] = [];
  for (let t = s.open; t < s.close; t += MINUTE_MS) {
    const inBreak = s.breakStart !== undefined && t >= s.breakStart && t < s.breakEnd!;
    if (!inBreak && t >= first && t <= last && t < until) out.push(t);
  }
  return out;
}

describe("expectedWindows: the one definition of expected minutes", () => {
  it("clips a session to the stored range: a first day from 10:14, a last day to 11:00", () => {
    const m = (k: number) => NYSE.open + k * MINUTE_MS;
    expect(minutesIn(expectedWindows(NYSE)), "a whole session").toBe(390);
    expect(minutesIn(expectedWindows(NYSE, { first: m(44), last: m(1000) }))).toBe(346);
    expect(minutesIn(expectedWindows(NYSE, { first: m(-300), last: m(89) }))).toBe(90);
    expect(
      expectedWindows(NYSE, { first: m(400), last: m(1000) }),
      "data begins after the close",
    ).toEqual([]);
    expect(minutesIn(expectedWindows(TOKYO)), "Tokyo's lunch is not expected").toBe(330);
  });

  it("agrees with a minute-by-minute walk for any range and clock, break or not", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(NYSE, TOKYO),
        fc.integer({ min: -100, max: 500 }),
        fc.integer({ min: 0, max: 600 }),
        fc.integer({ min: -50, max: 500 }),
        (s, a, span, u) => {
          const first = s.open + a * MINUTE_MS;
          const last = first + span * MINUTE_MS;
          const until = s.open + u * MINUTE_MS;
          const want = naive(s, first, last, until);
          const windows = expectedWindows(s, { first, last }, until);
          expect(minutesIn(windows)).toBe(want.length);
          expect(
            presentIn(Float64Array.from(want), windows),
            "every expected minute is in a window",
          ).toBe(want.length);
        },
      ),
      { numRuns: runs(300) },
    );
  });

  it("quality is present over expected, 100 when nothing is expected", () => {
    expect(qualityPercent(29_996, 30_419).toFixed(2)).toBe("98.61");
    expect(qualityPercent(0, 0)).toBe(100);
  });
});
