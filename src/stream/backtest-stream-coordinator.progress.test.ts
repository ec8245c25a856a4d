import { describe, expect, it } from "vitest";
import { xnysCalendar } from "../calendar/xnys.js";
import { SessionData } from "../store/public.js";
import { BacktestStreamCoordinator } from "./backtest-stream-coordinator.js";
import type { ProgressEvent } from "./backtest-types.js";
import { fixtureStore } from "./replay.test-helpers.js";
import { estimateScanRows } from "./replay-work.js";

const cal = xnysCalendar;
const DATES = ["2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05"];
const SYMBOLS = ["AAPL", "MSFT"];

async function progressOf(
  to: string,
  steps = 20,
): Promise<{ events: ProgressEvent[]; bars: number }> {
  const { store } = await fixtureStore(cal, { symbols: SYMBOLS, dates: DATES, minutes: 60 });
  const replay = new BacktestStreamCoordinator({
    barStore: store,
    sessionData: new SessionData({ calendar: cal }),
    calendar: cal,
    from: DATES[0]!,
    to,
    progressSteps: steps,
  });
  const events: ProgressEvent[] = [];
  replay.on("progress", (e) => events.push(e));
  const report = await replay.run();
  return { events, bars: report.bars };
}

describe("BacktestStreamCoordinator progress (work done, not calendar span)", () => {
  it("advances with the bars replayed when the range runs far past the data (to 2199)", async () => {
    const { events, bars } = await progressOf("2199-12-31");
    expect(bars).toBe(SYMBOLS.length * DATES.length * 60);
    expect(events.at(-1)?.fraction).toBe(1);
    const before = events.slice(0, -1);
    expect(before.length, "about one event per 1/20 of the work").toBeGreaterThanOrEqual(15);
    for (const e of before) {
      expect(
        Math.abs(e.fraction - e.bars / bars),
        `at ${e.bars} of ${bars} bars replayed the fraction is ${e.fraction}`,
      ).toBeLessThan(0.02);
    }
    const gaps = events.map((e, i) => e.fraction - (events[i - 1]?.fraction ?? 0));
    expect(Math.max(...gaps), "no jump: every step is about 1/20").toBeLessThan(0.1);
  });

  it("reports the same fractions for a range that ends at the data", async () => {
    const far = await progressOf("2199-12-31");
    const near = await progressOf(DATES.at(-1)!);
    expect(far.events.map((e) => [e.bars, e.fraction])).toEqual(
      near.events.map((e) => [e.bars, e.fraction]),
    );
  });
});

describe("estimateScanRows", () => {
  it("is each symbol's count scaled by the share of its stored span inside the range", async () => {
    const { store } = await fixtureStore(cal, { symbols: SYMBOLS, dates: DATES, minutes: 60 });
    const all = await estimateScanRows(store, SYMBOLS, 0, Date.UTC(2200, 0, 1));
    expect(all, "the whole span: exact").toBe(480);
    expect(await estimateScanRows(store, SYMBOLS, Date.UTC(2025, 0, 1), Date.UTC(2026, 0, 1))).toBe(
      0,
    );
    const first = cal.session(DATES[0]!)!.open;
    const last = cal.session(DATES.at(-1)!)!.open + 60 * 60_000;
    const half = await estimateScanRows(store, ["AAPL"], first, first + (last - first) / 2);
    expect(half, "half of AAPL's span: half its 240 rows").toBeCloseTo(120, 6);
    expect(await estimateScanRows(store, ["NONE"], 0, last)).toBe(0);
  });
});
