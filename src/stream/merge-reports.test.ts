import { describe, expect, it } from "vitest";
import type { BacktestReport } from "./backtest-types.js";
import { mergeBacktestReports } from "./merge-reports.js";

const row = { metrics: null, lastBarTime: null, indicatorsTime: null, indicators: {}, trend: null };

const stocks: BacktestReport = {
  sessions: 2,
  slices: 780,
  bars: 1_560,
  wallMs: 10,
  barsPerSecond: 156_000,
  symbols: { SPY: row, AAPL: row },
  upkeep: {
    gapsDetected: 1,
    expectedBars: 1_560,
    presentBars: 1_500,
    finalQuality: 96.15,
    minQuality: 90,
    unfillableGaps: [{ a: 1 }],
  },
};
const crypto: BacktestReport = {
  sessions: 3,
  slices: 100,
  bars: 100,
  wallMs: 30,
  barsPerSecond: 3_333,
  symbols: { BTC: row },
  upkeep: {
    gapsDetected: 0,
    expectedBars: 100,
    presentBars: 100,
    finalQuality: 100,
    minQuality: 100,
    unfillableGaps: [],
  },
};

describe("mergeBacktestReports", () => {
  it("adds counts and wall time, merges symbols by name, recomputes quality from the sums", () => {
    const merged = mergeBacktestReports([stocks, crypto]);
    expect(merged).toMatchObject({ sessions: 5, slices: 880, bars: 1_660, wallMs: 40 });
    expect(merged.barsPerSecond).toBe(1_660 / 0.04);
    expect(Object.keys(merged.symbols), "symbols in name order").toEqual(["AAPL", "BTC", "SPY"]);
    expect(merged.upkeep).toEqual({
      gapsDetected: 1,
      expectedBars: 1_660,
      presentBars: 1_600,
      finalQuality: (1_600 / 1_660) * 100,
      minQuality: 90,
      unfillableGaps: [{ a: 1 }],
    });
  });

  it("returns a single report as it is and refuses none", () => {
    expect(mergeBacktestReports([stocks])).toBe(stocks);
    expect(() => mergeBacktestReports([])).toThrow(/no backtest reports/);
  });
});
