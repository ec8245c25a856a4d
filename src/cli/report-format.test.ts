import { describe, expect, it } from "vitest";
import type { SessionMetrics } from "../store/public.js";
import type { BacktestReport } from "../stream/public.js";
import {
  formatBacktestReport,
  formatIndicator,
  formatNumber,
  formatTable,
} from "./report-format.js";

const metrics: SessionMetrics = {
  symbol: "AAPL",
  sessionDate: "2024-01-31",
  open: 185,
  high: 187.5,
  low: 184,
  close: 186.25,
  volume: 1_234_567,
  vwap: 185.9,
  barCount: 389,
  expectedBarCount: 390,
  barQuality: (389 / 390) * 100,
  missingBarCount: 1,
  filledBarCount: 0,
  unfillableBarCount: 1,
  provenance: { live: 0, replay: 389, refilled: 0, corrected: 0 },
  firstBarTime: 0,
  lastBarTime: 0,
};

const report: BacktestReport = {
  sessions: 21,
  slices: 8190,
  bars: 163_800,
  wallMs: 412.5,
  barsPerSecond: 397_090.9,
  droppedBars: 12,
  symbols: {
    AAPL: {
      metrics,
      lastBarTime: Date.UTC(2024, 0, 31, 20, 59),
      indicatorsTime: Date.UTC(2024, 0, 31, 20, 59),
      indicators: { sma50: 186.1234, macd: { macd: 0.5, signal: 0.25 } },
      trend: "bullish",
    },
    MSFT: { metrics: null, lastBarTime: null, indicatorsTime: null, indicators: {}, trend: null },
  },
  upkeep: { gapsDetected: 3, finalQuality: 99.74, unfillableGaps: [{ start: 1 }] },
};

describe("formatBacktestReport", () => {
  it("prints one row per symbol and the totals", () => {
    const lines = formatBacktestReport(report).split("\n");
    expect(lines[0]).toBe(
      "symbol  session      close     volume    vwap     bars  quality  last bar (UTC)    indicators at      sma50  macd                   trend",
    );
    expect(lines[2]).toBe(
      "AAPL    2024-01-31  186.25  1,234,567  185.90  389/390    99.7%  2024-01-31 20:59  2024-01-31 20:59  186.12  macd=0.50 signal=0.25  bullish",
    );
    expect(lines[3], "a symbol without bars in the last session").toMatch(
      /^MSFT\s+-\s+-\s+-\s+-\s+-\s+-\s+-\s+-\s+-\s+-\s+-$/,
    );
    expect(lines).toContain(
      "sessions 21 | slices 8,190 | bars 163,800 | wall 0.41 s | 397,091 bars/s",
    );
    expect(lines).toContain("dropped bars 12");
    expect(lines.find((l) => l.startsWith("gap repair:"))).toMatch(
      /3 gaps detected, .*quality final 99.74%/,
    );
    const missing = formatBacktestReport({
      ...report,
      upkeep: { ...report.upkeep, missingSessions: 2 },
    });
    expect(missing, "sessions without a bar are named apart from gaps").toMatch(
      /gap repair: 3 gaps detected and 2 missing sessions, /,
    );
  });
});

describe("prices at the symbol's precision", () => {
  const row = (symbol: string, close: number): BacktestReport["symbols"][string] => ({
    metrics: { ...metrics, symbol, close, vwap: close },
    lastBarTime: 0,
    indicatorsTime: 0,
    indicators: { sma50: close },
    trend: null,
  });
  const fx: BacktestReport = {
    ...report,
    symbols: { ADABTC: row("ADABTC", 0.00003124), GBPUSD: row("GBPUSD", 1.59234) },
  };

  it("prints ADABTC at 8 decimals and GBPUSD at 5 in the table", () => {
    const text = formatBacktestReport(fx, { priceDecimals: { ADABTC: 8, GBPUSD: 5 } });
    const [ada, gbp] = text.split("\n").slice(2, 4);
    expect(ada, "close, vwap and the price indicator at 8 decimals, never 0.00").toMatch(
      /^ADABTC\s+2024-01-31\s+0\.00003124\s+1,234,567\s+0\.00003124\s.*\s0\.00003124\s+-$/,
    );
    expect(gbp).toMatch(
      /^GBPUSD\s+2024-01-31\s+1\.59234\s+1,234,567\s+1\.59234\s.*\s1\.59234\s+-$/,
    );
    expect(formatBacktestReport(fx), "without the symbols table: 2 decimals").toMatch(
      /ADABTC\s+2024-01-31\s+0\.00\s/,
    );
  });

  it("keeps full doubles in the JSON report", () => {
    expect(JSON.parse(JSON.stringify(fx)).symbols.ADABTC.metrics.close).toBe(0.00003124);
  });
});

describe("cells", () => {
  it("formats numbers, absent values and multi-line indicators", () => {
    expect(formatNumber(1234.5)).toBe("1,234.50");
    expect(formatNumber(Number.NaN)).toBe("-");
    expect(formatNumber(undefined)).toBe("-");
    expect(formatIndicator(undefined)).toBe("-");
    expect(formatIndicator({ upper: 2, lower: Number.NaN })).toBe("upper=2.00 lower=-");
  });

  it("right-aligns numeric columns and left-aligns text", () => {
    expect(
      formatTable(
        ["name", "n"],
        [
          ["a", "1"],
          ["bbb", "100"],
        ],
      ),
    ).toBe(["name    n", "----  ---", "a       1", "bbb   100"].join("\n"));
  });
});
