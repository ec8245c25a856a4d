// Property tests of the engine against a real SessionData: whatever the arrival order, the
// corrections and the listener order, results equal those of bars arriving once, in order.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { runs } from "../../test/fast-check.js";
import type { Bar } from "../domain/bar.js";
import { at, makeBar, makeTestCalendar } from "../store/fixtures.js";
import { SessionData } from "../store/public.js";
import { AnalysisEngine } from "./analysis-engine.js";
import type { AnalysisResult } from "./symbol-analysis.js";

const calendar = makeTestCalendar();
const INDICATORS = ["sma:5", "ema:4", "rsi:3", "macd:2:4:2", "bollinger:5:2", "atr:3", "vwap"];

/** Two sessions of one symbol: a few pre-market bars, then regular ones. */
function sessionBars(): Bar[] {
  const bars: Bar[] = [];
  for (const [d, date] of ["2024-01-02", "2024-01-03"].entries()) {
    for (let i = 0; i < 3; i++) bars.push(makeBar(at(date, 9, 0) + i * 60_000, 90 + i, i));
    for (let i = 0; i < 25; i++) {
      bars.push(makeBar(at(date, 9, 30) + i * 60_000, 100 + d * 3 + 4 * Math.sin(i / 2), i));
    }
  }
  return bars;
}

const BARS = sessionBars();
const SPLIT = BARS.length / 2;

function finalInOrder(extendedHours: boolean): AnalysisResult | undefined {
  const sd = new SessionData({ calendar });
  const engine = new AnalysisEngine({ sessionData: sd, indicators: INDICATORS, extendedHours });
  for (const bar of BARS) sd.addBar("S", bar);
  const result = engine.analyze("S");
  engine.dispose();
  return result;
}

/**
 * One session's arrivals: every bar once in a shuffled order; some first arrive wrong and are
 * corrected at once (a replace of the latest) or at the end of the session (an older bar).
 */
const arrivals = (from: number, to: number) =>
  fc
    .tuple(
      fc.shuffledSubarray(
        Array.from({ length: to - from }, (_, i) => from + i),
        { minLength: to - from, maxLength: to - from },
      ),
      fc.array(fc.constantFrom("none", "now", "later"), {
        minLength: to - from,
        maxLength: to - from,
      }),
    )
    .map(([order, fixes]) => {
      const later: Bar[] = [];
      const out = order.flatMap((i, k) => {
        const bar = BARS[i]!;
        const wrong = { ...bar, close: bar.close + 1, high: bar.high + 1, volume: bar.volume + 5 };
        if (fixes[k] === "now") return [wrong, bar];
        if (fixes[k] === "later") {
          later.push(bar);
          return [wrong];
        }
        return [bar];
      });
      return [...out, ...later];
    });

describe("AnalysisEngine properties", () => {
  for (const extendedHours of [false, true]) {
    it(`any order, corrections, an earlier listener calling analyze: as in order (extendedHours ${extendedHours})`, () => {
      const expected = finalInOrder(extendedHours);
      fc.assert(
        fc.property(
          arrivals(0, SPLIT),
          arrivals(SPLIT, BARS.length),
          fc.array(fc.boolean(), { minLength: 200, maxLength: 200 }),
          (first, second, peek) => {
            const sd = new SessionData({ calendar });
            let engine: AnalysisEngine | undefined;
            let event = 0;
            let early: AnalysisResult | undefined;
            sd.subscribe((e) => {
              if (e.type === "bar" && peek[event++ % peek.length]) early = engine?.analyze("S");
              else early = undefined;
            });
            engine = new AnalysisEngine({ sessionData: sd, indicators: INDICATORS, extendedHours });
            sd.subscribe((e) => {
              // A listener after the engine sees the same as one before it.
              if (e.type === "bar" && early !== undefined)
                expect(early).toEqual(engine?.analyze("S"));
            });
            for (const bar of [...first, ...second]) sd.addBar("S", bar);
            expect(engine.analyze("S")).toEqual(expected);
            engine.dispose();
          },
        ),
        { numRuns: runs(40) },
      );
    });
  }
});
