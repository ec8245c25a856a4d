// Oracle tests: every built-in indicator against trading-signals on the real minute bars of
// ../shared/data/bars (btc-perp, gbpusd, 6E), to 1e-9 relative at every bar.
import * as ts from "trading-signals";
import { beforeAll, expect, it } from "vitest";
import { requiring } from "../../test/requirements.js";
import type { Bar } from "../domain/bar.js";
import { BollingerBands } from "./bollinger-bands.js";
import type { Indicator } from "./indicator.js";
import { Macd } from "./macd.js";
import { Ema, Sma } from "./moving-averages.js";
import {
  loadRealBars,
  REAL_BAR_FILES,
  type RealBarFile,
  realBarsPresent,
  relativeError,
} from "./real-bars.test-helpers.js";
import { Rsi } from "./rsi.js";
import { Vwap } from "./vwap.js";
import { Atr } from "./wilder.js";

const TOLERANCE = 1e-9;

/** One comparison: our indicator, the oracle, how to feed it and how to read both as numbers. */
interface Case {
  readonly label: string;
  readonly ours: () => Indicator;
  /** A fresh oracle fed with `add`; `session` is the bar's UTC date (only VWAP uses it). */
  readonly oracle: () => { feed(bar: Bar, session: string): void; read(): number[] | undefined };
  /** Our value as the same numbers `read` gives. */
  readonly numbers: (value: unknown) => number[];
  /** Whether our readiness must equal the oracle's at this bar index (MACD readies later, by design). */
  readonly readyAt?: (index: number, oracleReady: boolean) => boolean;
}

const scalar = (value: unknown) => [value as number];

function closeOracle(make: () => ts.SMA | ts.EMA | ts.RSI) {
  return () => {
    const inner = make();
    return {
      feed: (bar: Bar) => void inner.add(bar.close),
      read: () => (inner.isStable ? [inner.getResultOrThrow()] : undefined),
    };
  };
}

const CASES: readonly Case[] = [
  {
    label: "SMA-50",
    ours: () => new Sma(50),
    oracle: closeOracle(() => new ts.SMA(50)),
    numbers: scalar,
  },
  {
    label: "EMA-20",
    ours: () => new Ema(20),
    oracle: closeOracle(() => new ts.EMA(20)),
    numbers: scalar,
  },
  {
    label: "RSI-14 (Wilder 1978)",
    ours: () => new Rsi(14),
    oracle: closeOracle(() => new ts.RSI(14)),
    numbers: scalar,
  },
  {
    label: "MACD 12/26/9 (Appel)",
    ours: () => new Macd(12, 26, 9),
    oracle: () => {
      const inner = new ts.MACD(new ts.EMA(12), new ts.EMA(26), new ts.EMA(9));
      return {
        feed: (bar: Bar) => void inner.add(bar.close),
        read: () => {
          const r = inner.getResult();
          return r === null ? undefined : [r.macd, r.signal, r.histogram];
        },
      };
    },
    numbers: (v) => {
      const m = v as { macd: number; signal: number; histogram: number };
      return [m.macd, m.signal, m.histogram];
    },
    // Ours waits for 9 MACD values before the signal line counts (bar 34, index 33).
    readyAt: (index, oracleReady) => oracleReady && index >= 33,
  },
  {
    label: "Bollinger 20/2",
    ours: () => new BollingerBands(20, 2),
    oracle: () => {
      const inner = new ts.BollingerBands(20, 2);
      return {
        feed: (bar: Bar) => void inner.add(bar.close),
        read: () => {
          const r = inner.getResult();
          return r === null ? undefined : [r.upper, r.middle, r.lower];
        },
      };
    },
    numbers: (v) => {
      const b = v as { upper: number; middle: number; lower: number };
      return [b.upper, b.middle, b.lower];
    },
  },
  {
    label: "ATR-14 (Wilder 1978)",
    ours: () => new Atr(14),
    oracle: () => {
      const inner = new ts.ATR(14);
      return {
        feed: (bar: Bar) => void inner.add(bar),
        read: () => (inner.isStable ? [inner.getResultOrThrow()] : undefined),
      };
    },
    numbers: scalar,
  },
  {
    label: "session VWAP",
    ours: () => new Vwap(),
    oracle: () => {
      // trading-signals' VWAP is cumulative: a fresh one per session is the session VWAP.
      let inner = new ts.VWAP();
      let current = "";
      return {
        feed: (bar: Bar, session: string) => {
          if (session !== current) {
            inner = new ts.VWAP();
            current = session;
          }
          inner.add(bar);
        },
        read: () => (inner.isStable ? [inner.getResultOrThrow()] : undefined),
      };
    },
    numbers: scalar,
  },
];

interface Outcome {
  compared: number;
  maxError: number;
  readinessMismatches: number;
}

function compare(bars: readonly Bar[], c: Case): Outcome {
  const ours = c.ours();
  const oracle = c.oracle();
  let session = "";
  const outcome: Outcome = { compared: 0, maxError: 0, readinessMismatches: 0 };
  for (let i = 0; i < bars.length; i++) {
    const bar = bars[i];
    const day = new Date(bar.time).toISOString().slice(0, 10);
    if (day !== session) {
      session = day;
      ours.startSession?.(day);
    }
    ours.update(bar);
    oracle.feed(bar, day);
    const expected = oracle.read();
    const expectReady = c.readyAt ? c.readyAt(i, expected !== undefined) : expected !== undefined;
    if (ours.isReady !== expectReady || (ours.value === undefined) === expectReady) {
      outcome.readinessMismatches++;
      continue;
    }
    if (!expectReady || expected === undefined) continue;
    const actual = c.numbers(ours.value);
    for (let k = 0; k < expected.length; k++) {
      const error = relativeError(actual[k], expected[k]);
      if (!(error <= outcome.maxError)) outcome.maxError = error;
    }
    outcome.compared++;
  }
  return outcome;
}

requiring(realBarsPresent()).describe(
  "built-in indicators match trading-signals on real bars",
  () => {
    const data = new Map<RealBarFile, Bar[]>();
    beforeAll(() => {
      for (const file of REAL_BAR_FILES) data.set(file, loadRealBars(file));
    });

    it("reads the three files whole", () => {
      expect(data.get(REAL_BAR_FILES[0])?.length, "btc-perp rows").toBe(45_031);
      expect(data.get(REAL_BAR_FILES[1])?.length, "gbpusd rows").toBe(30_117);
      expect(data.get(REAL_BAR_FILES[2])?.length, "6E rows").toBe(29_996);
    });

    for (const file of REAL_BAR_FILES) {
      for (const c of CASES) {
        it(`${c.label} on ${file.name}`, () => {
          const bars = data.get(file) ?? [];
          const outcome = compare(bars, c);
          expect(outcome.readinessMismatches, "bars where readiness differs").toBe(0);
          expect(outcome.maxError, "largest relative error").toBeLessThanOrEqual(TOLERANCE);
          if (c.label === "session VWAP" && file.name === "gbpusd") {
            expect(outcome.compared, "FX quotes carry no volume: VWAP never ready").toBe(0);
          } else {
            expect(outcome.compared, "values compared").toBeGreaterThan(bars.length - 100);
          }
        });
      }
    }

    it("Bollinger's standard deviation itself (not only the bands) matches to 1e-9", () => {
      for (const file of REAL_BAR_FILES) {
        const bars = data.get(file) ?? [];
        const ours = new BollingerBands(20, 2);
        const theirs = new ts.BollingerBands(20, 2);
        let worst = 0;
        for (const bar of bars) {
          ours.update(bar);
          const r = theirs.add(bar.close);
          if (r === null) continue;
          const expected = (r.upper - r.middle) / 2;
          // Flat windows have a deviation of exactly 0 in both; elsewhere compare relatively,
          // against a floor of 1e-7 of the price so a deviation of 0.00001 on 1.1 is still checked.
          const error =
            Math.abs(ours.standardDeviation - expected) / Math.max(expected, r.middle * 1e-7);
          if (error > worst) worst = error;
        }
        expect(worst, `${file.name}: largest error of the deviation`).toBeLessThanOrEqual(
          TOLERANCE,
        );
      }
    });
  },
);
