import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { runs } from "../../test/fast-check.js";
import type { Bar } from "../domain/bar.js";
import { InvalidArgumentError } from "../domain/errors.js";
import { BollingerBands } from "./bollinger-bands.js";
import type { Indicator } from "./indicator.js";
import { Macd } from "./macd.js";
import { Ema, Sma } from "./moving-averages.js";
import { relativeError } from "./real-bars.test-helpers.js";
import { Rsi } from "./rsi.js";
import { Vwap } from "./vwap.js";
import { Atr } from "./wilder.js";

function bar(close: number, i = 0, spread = 1, volume = 100): Bar {
  return {
    time: i * 60_000,
    open: close,
    high: close + spread,
    low: close - spread,
    close,
    volume,
  };
}

const FACTORIES: Record<string, () => Indicator> = {
  sma: () => new Sma(5),
  ema: () => new Ema(4),
  rsi: () => new Rsi(3),
  macd: () => new Macd(3, 6, 4),
  bollinger: () => new BollingerBands(5, 2),
  atr: () => new Atr(3),
  vwap: () => new Vwap(),
};

function numbers(value: unknown): number[] {
  if (value === undefined) return [];
  if (typeof value === "number") return [value];
  return Object.values(value as Record<string, number>);
}

function expectSameValues(a: Indicator, b: Indicator, where: string, exact = false): void {
  expect(a.isReady, `${where}: readiness`).toBe(b.isReady);
  const x = numbers(a.value);
  const y = numbers(b.value);
  expect(x.length, `${where}: value shape`).toBe(y.length);
  for (let k = 0; k < x.length; k++) {
    if (exact) {
      expect(x[k], `${where}: value ${k}, bit for bit`).toBe(y[k]);
      continue;
    }
    // Relative, with a floor of 1 (prices here are >= 1): an oscillator near 0 is not a failure.
    const error = Math.abs(x[k] - y[k]) / Math.max(1, Math.abs(x[k]), Math.abs(y[k]));
    expect(error, `${where}: value ${k} (${x[k]} vs ${y[k]})`).toBeLessThan(1e-9);
  }
}

describe("hand-computed values", () => {
  it("SMA(3) of 1..5 is the mean of the last three", () => {
    const sma = new Sma(3);
    [1, 2].forEach((c, i) => void sma.update(bar(c, i)));
    expect(sma.value, "not ready before 3 bars").toBeUndefined();
    [3, 4, 5].forEach((c, i) => void sma.update(bar(c, i + 2)));
    expect(sma.value).toBe(4);
  });

  it("EMA(3) starts at the first close and weights by 2 / (n + 1)", () => {
    const ema = new Ema(3);
    ema.update(bar(10));
    ema.update(bar(20));
    expect(ema.value, "ready only after 3 closes").toBeUndefined();
    ema.update(bar(30));
    // 10 -> 10 + 0.5 * 10 = 15 -> 15 + 0.5 * 15 = 22.5
    expect(ema.value).toBeCloseTo(22.5, 12);
  });

  it("RSI is 100 when prices only rise and 0 when they only fall (Wilder 1978)", () => {
    const up = new Rsi(3);
    const down = new Rsi(3);
    for (let i = 0; i < 10; i++) {
      up.update(bar(100 + i, i));
      down.update(bar(100 - i, i));
    }
    expect(up.value).toBe(100);
    expect(down.value).toBe(0);
  });

  it("RSI(2) seeds with plain averages, then smooths by (prev * (n - 1) + x) / n", () => {
    const rsi = new Rsi(2);
    [10, 12, 11].forEach((c, i) => void rsi.update(bar(c, i)));
    // gains 2, 0 -> 1; losses 0, 1 -> 0.5; RS 2; RSI 100 - 100 / 3
    expect(rsi.value).toBeCloseTo(100 - 100 / 3, 12);
    rsi.update(bar(14, 3));
    // gain (1 + 3) / 2 = 2; loss 0.5 / 2 = 0.25; RS 8
    expect(rsi.value).toBeCloseTo(100 - 100 / 9, 12);
  });

  it("ATR's first true range is high - low, then includes gaps to the previous close", () => {
    const atr = new Atr(2);
    atr.update({ time: 0, open: 10, high: 11, low: 9, close: 10, volume: 0 });
    atr.update({ time: 60_000, open: 14, high: 15, low: 14, close: 14, volume: 0 });
    // TRs 2 and max(1, 5, 4) = 5 -> seed 3.5
    expect(atr.value).toBe(3.5);
  });

  it("Bollinger uses the population standard deviation (Bollinger 2001)", () => {
    const bb = new BollingerBands(4, 2);
    [2, 4, 4, 6].forEach((c, i) => void bb.update(bar(c, i)));
    // mean 4, population variance (4 + 0 + 0 + 4) / 4 = 2
    expect(bb.value?.middle).toBe(4);
    expect(bb.value?.upper).toBeCloseTo(4 + 2 * Math.SQRT2, 12);
    expect(bb.value?.lower).toBeCloseTo(4 - 2 * Math.SQRT2, 12);
  });

  it("MACD waits for `signal` MACD values; histogram = macd - signal (Appel)", () => {
    const macd = new Macd(2, 3, 2);
    [1, 2, 3].forEach((c, i) => void macd.update(bar(c, i)));
    expect(macd.value, "one MACD value is not a signal line").toBeUndefined();
    macd.update(bar(4, 3));
    const v = macd.value;
    expect(v).toBeDefined();
    expect(v?.histogram).toBeCloseTo((v?.macd ?? 0) - (v?.signal ?? 0), 15);
  });

  it("VWAP weighs the typical price by volume, skips zero volume, restarts each session", () => {
    const vwap = new Vwap();
    vwap.update({ time: 0, open: 10, high: 12, low: 9, close: 9, volume: 100 });
    vwap.update({ time: 60_000, open: 30, high: 33, low: 30, close: 30, volume: 300 });
    vwap.update({ time: 120_000, open: 50, high: 50, low: 50, close: 50, volume: 0 });
    expect(vwap.value).toBeCloseTo((10 * 100 + 31 * 300) / 400, 12);
    vwap.startSession("2024-01-03");
    expect(vwap.isReady, "a new session starts empty").toBe(false);
    expect(vwap.value).toBeUndefined();
  });
});

describe("replace, clone and reset", () => {
  const series = fc.array(
    fc.record({
      close: fc.double({ min: 1, max: 1000, noNaN: true }),
      wrong: fc.option(fc.double({ min: 1, max: 1000, noNaN: true }), { nil: undefined }),
      volume: fc.oneof(fc.constant(0), fc.double({ min: 1, max: 1e6, noNaN: true })),
    }),
    { maxLength: 60 },
  );

  for (const [kind, make] of Object.entries(FACTORIES)) {
    it(`${kind}: a wrong bar then replace() gives exactly what the right bar alone gives`, () => {
      fc.assert(
        fc.property(series, (steps) => {
          const straight = make();
          const corrected = make();
          steps.forEach((s, i) => {
            straight.update(bar(s.close, i, 1, s.volume));
            if (s.wrong !== undefined) {
              corrected.update(bar(s.wrong, i, 3, s.volume + 7));
              corrected.replace(bar(s.close, i, 1, s.volume));
            } else {
              corrected.update(bar(s.close, i, 1, s.volume));
            }
            // Bit for bit: the engine corrects the latest bar with replace() and promises the
            // values of in-order arrival (SMA, Bollinger and VWAP drifted by an ulp here).
            expectSameValues(corrected, straight, `${kind} step ${i}`, true);
          });
        }),
        { numRuns: runs(200) },
      );
    });

    it(`${kind}: a clone continues independently in the same state; reset starts afresh`, () => {
      const original = make();
      for (let i = 0; i < 20; i++) original.update(bar(100 + Math.sin(i) * 5, i));
      const copy = original.clone?.();
      expect(copy, "built-ins are cloneable").toBeDefined();
      if (copy === undefined) return;
      expectSameValues(copy, original, `${kind} clone`);
      for (let i = 20; i < 30; i++) {
        original.update(bar(100 + Math.cos(i) * 5, i));
        copy.update(bar(100 + Math.cos(i) * 5, i));
      }
      expectSameValues(copy, original, `${kind} clone after 10 more`);
      copy.update(bar(500, 31));
      expect(numbers(copy.value), "the copy moved alone").not.toEqual(numbers(original.value));
      original.reset();
      expect(original.isReady, "reset forgets everything").toBe(false);
      expect(original.value).toBeUndefined();
    });
  }

  it("replace() on an empty indicator feeds the bar", () => {
    for (const make of Object.values(FACTORIES)) {
      const a = make();
      const b = make();
      a.replace(bar(10));
      b.update(bar(10));
      for (let i = 1; i < 20; i++) {
        a.update(bar(10 + i, i));
        b.update(bar(10 + i, i));
      }
      expectSameValues(a, b, a.name);
    }
  });
});

describe("numerical drift of running sums", () => {
  it("SMA-50 and Bollinger-20 stay exact to 1e-12 after 500,000 updates at a price of 1e5", () => {
    const sma = new Sma(50);
    const bb = new BollingerBands(20, 2);
    const closes = new Float64Array(500_000);
    let price = 100_000;
    let seed = 42;
    for (let i = 0; i < closes.length; i++) {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      price += (seed / 2_147_483_648 - 0.5) * 2;
      closes[i] = price;
      sma.updateValue(price);
      bb.updateValue(price);
    }
    let sum = 0;
    for (let i = closes.length - 50; i < closes.length; i++) sum += closes[i];
    expect(relativeError(sma.value ?? 0, sum / 50), "SMA vs a fresh sum").toBeLessThan(1e-12);
    let mean = 0;
    for (let i = closes.length - 20; i < closes.length; i++) mean += closes[i];
    mean /= 20;
    let squares = 0;
    for (let i = closes.length - 20; i < closes.length; i++) squares += (closes[i] - mean) ** 2;
    const deviation = Math.sqrt(squares / 20);
    expect(relativeError(bb.value?.middle ?? 0, mean), "middle band").toBeLessThan(1e-12);
    expect(relativeError(bb.standardDeviation, deviation), "deviation").toBeLessThan(1e-9);
  });
});

describe("parameters", () => {
  it.each([
    ["SMA", () => new Sma(0)],
    ["EMA", () => new Ema(1.5)],
    ["RSI", () => new Rsi(-1)],
    ["ATR", () => new Atr(Number.NaN)],
    ["MACD fast >= slow", () => new Macd(26, 12, 9)],
    ["Bollinger multiplier", () => new BollingerBands(20, 0)],
  ])("%s: refuses a bad parameter with InvalidArgumentError", (_label, make) => {
    expect(make).toThrow(InvalidArgumentError);
  });

  it("names results by kind and parameters", () => {
    expect(
      [
        new Sma(50),
        new Ema(20),
        new Rsi(),
        new Macd(),
        new BollingerBands(),
        new Atr(),
        new Vwap(),
      ].map((i) => i.name),
    ).toEqual(["sma50", "ema20", "rsi14", "macd12_26_9", "bollinger20_2", "atr14", "vwap"]);
  });
});
