import * as ts from "trading-signals";
import { describe, expect, it } from "vitest";
import type { Bar } from "../domain/bar.js";
import { InvalidArgumentError } from "../domain/errors.js";
import { fromTradingSignals } from "./trading-signals-adapter.js";
import { Atr } from "./wilder.js";

const bars: Bar[] = Array.from({ length: 40 }, (_, i) => {
  const close = 100 + 4 * Math.sin(i / 3);
  return {
    time: i * 60_000,
    open: close,
    high: close + 1,
    low: close - 1.5,
    close,
    volume: 10 + i,
  };
});

describe("fromTradingSignals", () => {
  it("feeds closes by default and reports the result once stable", () => {
    const wma = fromTradingSignals("wma5", () => new ts.WMA(5));
    const direct = new ts.WMA(5);
    expect(wma.warmupPeriod).toBe(5);
    for (const [i, bar] of bars.entries()) {
      wma.update(bar);
      direct.add(bar.close);
      expect(wma.isReady, `bar ${i}`).toBe(direct.isStable);
    }
    expect(wma.value).toBe(direct.getResult());
  });

  it("feeds candles with input: 'candle' (ATR agrees with ours)", () => {
    const theirs = fromTradingSignals("atr3ts", () => new ts.ATR(3), { input: "candle" });
    const ours = new Atr(3);
    for (const bar of bars) {
      theirs.update(bar);
      ours.update(bar);
    }
    expect(theirs.value).toBe(ours.value);
  });

  it("calls an input function with a copy, so the caller may reuse its bar object", () => {
    const kept: Bar[] = [];
    const sma = fromTradingSignals("sma2", () => new ts.SMA(2), {
      input: (bar: Bar) => {
        kept.push(bar);
        return bar.close;
      },
    });
    const scratch = { ...bars[0]! };
    for (const bar of bars.slice(0, 3)) {
      Object.assign(scratch, bar);
      sma.update(scratch);
    }
    expect(kept.map((b) => b.close)).toEqual(bars.slice(0, 3).map((b) => b.close));
    expect(kept[0]).not.toBe(scratch);
  });

  it("copies object results' numeric fields (MACD)", () => {
    const macd = fromTradingSignals(
      "macd",
      () => new ts.MACD(new ts.EMA(3), new ts.EMA(6), new ts.EMA(4)),
    );
    for (const bar of bars) macd.update(bar);
    expect(Object.keys(macd.value as object).sort()).toEqual(["histogram", "macd", "signal"]);
  });

  it("replace() corrects the latest input through trading-signals' replace", () => {
    const a = fromTradingSignals("sma3", () => new ts.SMA(3));
    const b = fromTradingSignals("sma3", () => new ts.SMA(3));
    for (const bar of bars) {
      a.update({ ...bar, close: bar.close * 2 });
      a.replace(bar);
      b.update(bar);
    }
    expect(a.value).toBeCloseTo(b.value as number, 9);
  });

  it("reset() starts afresh from a factory, and refuses on a used instance", () => {
    const fromFactory = fromTradingSignals("ema3", () => new ts.EMA(3));
    for (const bar of bars) fromFactory.update(bar);
    fromFactory.reset();
    expect(fromFactory.isReady).toBe(false);
    const fromInstance = fromTradingSignals("ema3", new ts.EMA(3));
    fromInstance.reset(); // nothing fed yet: nothing to forget
    fromInstance.update(bars[0]!);
    expect(() => fromInstance.reset()).toThrow(/factory/);
  });

  it("refuses something that is not a trading-signals indicator, and an empty name", () => {
    expect(() => fromTradingSignals("x", {} as never)).toThrow(InvalidArgumentError);
    expect(() => fromTradingSignals("", () => new ts.SMA(3))).toThrow(InvalidArgumentError);
  });
});
