import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeLeanLayout } from "../../history/corporate/lean-layout.test-helpers.js";
import { sessiondata } from "./cli-test-support.test-helpers.js";

const dir = mkdtempSync(join(tmpdir(), "sessiondata-backtest-adjust-"));
const db = join(dir, "lean.duckdb");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeAll(() => {
  const r = sessiondata(["import", writeLeanLayout(join(dir, "lean")), "--db", db]);
  expect(r.code, r.stderr).toBe(0);
});

function backtest(...args: string[]) {
  const r = sessiondata(["backtest", "--db", db, "--json", ...args]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as {
    bars: number;
    symbols: Record<
      string,
      { metrics: { close: number; barCount: number }; indicators: Record<string, number> }
    >;
  };
}

describe("sessiondata backtest --adjust (a LEAN layout with a split, a dividend and a rename)", () => {
  it("split and raw agree on the last session's prices and on an SMA spanning the split", () => {
    const split = backtest("--symbols", "ABC", "--indicators", "sma:12", "--adjust", "split");
    const raw = backtest("--symbols", "ABC", "--indicators", "sma:12", "--adjust", "raw");
    const total = backtest("--symbols", "ABC", "--indicators", "sma:12", "--adjust", "total");
    expect(split.symbols.ABC!.metrics.close, "the last session keeps raw prices").toBe(51.5);
    expect(raw.symbols.ABC!.metrics.close).toBe(51.5);
    // The SMA-12 takes the last 2 bars of 06-07 (pre-split, ~101) and the 10 after (~50):
    // continuous prices give about 51, raw ones unrescaled would give about 59.
    const sma = split.symbols.ABC!.indicators.sma12!;
    expect(sma).toBeGreaterThan(50);
    expect(sma).toBeLessThan(52);
    expect(
      raw.symbols.ABC!.indicators.sma12,
      "raw-mode indicators are rescaled at the split",
    ).toBeCloseTo(sma, 9);
    expect(total.symbols.ABC!.indicators.sma12, "no dividend inside the SMA's window").toBeCloseTo(
      sma,
      9,
    );
  });

  it("replays NEWCO before its rename from OLDCO's bars, under the name asked for", () => {
    const r = backtest("--symbols", "NEWCO", "--to", "2024-06-07", "--indicators", "sma:3");
    expect(r.bars).toBe(15);
    expect(Object.keys(r.symbols)).toEqual(["NEWCO"]);
    expect(r.symbols.NEWCO!.metrics.close).toBeCloseTo(21.4, 9);
  });

  it("refuses an unknown mode, naming the modes", () => {
    const r = sessiondata(["backtest", "--db", db, "--adjust", "adjusted"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/adjust must be one of raw, split, total, got "adjusted"/);
  });
});
