import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { runs } from "../../test/fast-check.js";
import { AnalysisEngine, type AnalysisResult } from "../analysis/public.js";
import { xnysCalendar } from "../calendar/xnys.js";
import type { Bar } from "../domain/bar.js";
import {
  corporateActionsOf,
  type FactorRow,
  factorsOn,
  MemoryBarStore,
} from "../history/public.js";
import { SystemManager } from "./system-manager.js";

const SESSIONS = xnysCalendar.sessionsBetween("2024-03-04", "2024-03-11");
const INDICATORS = ["sma:5", "ema:4", "rsi:3", "bollinger:5:2", "vwap", "atr:3", "macd:2:4:2"];
/** Results that are prices: the adjusted value is the raw-mode one × the session's factor. */
const DIMENSIONLESS = new Set(["rsi3"]);

interface Case {
  /** Bars per session (closes as a random walk). */
  readonly sessions: { steps: number[]; volumes: number[] }[];
  /** Split per session boundary: shares ratio (1: none) at the start of session i + 1. */
  readonly splits: number[];
  /** Dividend factor per session boundary (1: none): only `total` mode may see it. */
  readonly dividends: number[];
  readonly start: number;
}

const caseArb: fc.Arbitrary<Case> = fc.record({
  sessions: fc.array(
    fc.record({
      // Moves of at least 0.05 %: a window of identical closes has a Bollinger deviation made
      // of rounding noise (√ε × price, the one-pass variance's own floor), in either mode.
      steps: fc.array(
        fc
          .tuple(fc.double({ min: 0.0005, max: 0.04, noNaN: true }), fc.boolean())
          .map(([m, up]) => (up ? m : -m)),
        { minLength: 1, maxLength: 12 },
      ),
      volumes: fc.array(fc.integer({ min: 0, max: 5000 }), { minLength: 12, maxLength: 12 }),
    }),
    { minLength: SESSIONS.length, maxLength: SESSIONS.length },
  ),
  splits: fc.array(fc.constantFrom(1, 1, 1, 2, 3, 0.125, 7, 1.5, 4), {
    minLength: SESSIONS.length - 1,
    maxLength: SESSIONS.length - 1,
  }),
  dividends: fc.array(fc.constantFrom(1, 1, 0.99, 0.995), {
    minLength: SESSIONS.length - 1,
    maxLength: SESSIONS.length - 1,
  }),
  start: fc.double({ min: 5, max: 500, noNaN: true }),
});

/** The raw bars of a case: each split divides the price by its ratio, as the market does. */
function rawBars(c: Case): Bar[] {
  const bars: Bar[] = [];
  let price = c.start;
  c.sessions.forEach((s, k) => {
    if (k > 0) price /= c.splits[k - 1]!;
    const open = xnysCalendar.session(SESSIONS[k]!)!.open;
    s.steps.forEach((step, i) => {
      const before = price;
      price *= 1 + step;
      bars.push({
        time: open + i * 60_000,
        open: before,
        high: Math.max(before, price) * 1.001,
        low: Math.min(before, price) * 0.999,
        close: price,
        volume: s.volumes[i]!,
      });
    });
  });
  return bars;
}

/** LEAN's factor rows of the case's splits: built from the newest back, dated the session before. */
function factorRows(c: Case): FactorRow[] {
  const rows: FactorRow[] = [
    { date: "2050-12-31", priceFactor: 1, splitFactor: 1, referencePrice: 0 },
  ];
  let split = 1;
  let dividend = 1;
  for (let k = c.splits.length - 1; k >= 0; k--) {
    if (c.splits[k] === 1 && c.dividends[k] === 1) continue;
    split /= c.splits[k]!;
    dividend *= c.dividends[k]!;
    rows.unshift({
      date: SESSIONS[k]!,
      priceFactor: dividend,
      splitFactor: split,
      referencePrice: 100,
    });
  }
  return rows;
}

async function run(c: Case, adjust: "raw" | "split") {
  const barStore = new MemoryBarStore();
  await barStore.writeBars("XYZ", rawBars(c));
  await corporateActionsOf(barStore)!.writeCorporateActions({
    factorFiles: new Map([["XYZ", factorRows(c)]]),
  });
  const system = new SystemManager({ barStore, indicators: INDICATORS, historySessions: 20 });
  const results: AnalysisResult[] = [];
  system.analysisEngine.subscribe((r) => results.push(r));
  await system.dataManager
    .createBacktest({
      symbols: ["XYZ"],
      from: SESSIONS[0]!,
      to: SESSIONS.at(-1)!,
      upkeep: false,
      adjust,
    })
    .run();
  return { results, system };
}

function close(a: number, b: number, what: string): void {
  expect(Math.abs(a - b), `${what}: ${a} vs ${b}`).toBeLessThanOrEqual(
    1e-9 * Math.max(1, Math.abs(a)),
  );
}

function compare(
  adjusted: AnalysisResult,
  raw: AnalysisResult,
  factor: number,
  where: string,
): void {
  for (const [name, value] of Object.entries(adjusted.indicators)) {
    const other = raw.indicators[name];
    if (value === null) {
      expect(other, `${where} ${name} readiness`).toBeNull();
      continue;
    }
    const k = DIMENSIONLESS.has(name) ? 1 : factor;
    if (typeof value === "number") close(value, (other as number) * k, `${where} ${name}`);
    else {
      for (const [line, v] of Object.entries(value)) {
        close(v, (other as Record<string, number>)[line]! * k, `${where} ${name}.${line}`);
      }
    }
  }
}

describe("raw-mode indicators equal split-adjusted ones × the factor (property)", () => {
  it("for random factor files (splits and dividends) and bars, at every bar, SMA, EMA, RSI, Bollinger, VWAP, ATR, MACD", async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        const split = await run(c, "split");
        const raw = await run(c, "raw");
        expect(raw.results.length).toBe(split.results.length);
        const rows = factorRows(c);
        const last = factorsOn(rows, SESSIONS.at(-1)!).splitFactor;
        for (let i = 0; i < split.results.length; i++) {
          const a = split.results[i]!;
          const b = raw.results[i]!;
          expect(b.time).toBe(a.time);
          const date = xnysCalendar.sessionDateOf(a.time)!;
          const factor = factorsOn(rows, date).splitFactor / last;
          compare(a, b, factor, `bar ${i} (${date}, factor ${factor})`);
          close(a.price, b.price * factor, `bar ${i} price`);
          // The trend compares price with the SMA: a tie within rounding may fall either way.
          const sma = a.indicators.sma5;
          if (typeof sma === "number" && Math.abs(a.price - sma) > 1e-9 * Math.abs(sma)) {
            expect(b.trend, `bar ${i} trend`).toBe(a.trend);
          }
        }
        // A set warmed up afterwards from the raw history rescales across its splits as well.
        const late = new AnalysisEngine({
          sessionData: raw.system.sessionData,
          indicators: INDICATORS,
          warmupBars: 200,
        });
        const lateSplit = new AnalysisEngine({
          sessionData: split.system.sessionData,
          indicators: INDICATORS,
          warmupBars: 200,
        });
        compare(lateSplit.analyze("XYZ")!, late.analyze("XYZ")!, 1, "warmed up after the replay");
      }),
      { numRuns: runs(40) },
    );
  }, 60_000);
});
