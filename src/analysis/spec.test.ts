import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../domain/errors.js";
import { describeIndicatorSpec, parseIndicatorSpec } from "./spec.js";

describe("parseIndicatorSpec", () => {
  it.each([
    ["sma:50", "sma50"],
    ["ema:20", "ema20"],
    ["rsi:14", "rsi14"],
    ["rsi", "rsi14"],
    ["macd:12:26:9", "macd12_26_9"],
    ["macd", "macd12_26_9"],
    ["bollinger:20:2", "bollinger20_2"],
    ["bollinger:20:2.5", "bollinger20_2.5"],
    ["bollinger", "bollinger20_2"],
    ["atr:14", "atr14"],
    ["atr", "atr14"],
    ["vwap", "vwap"],
    [" SMA:50 ", "sma50"],
  ])("%s makes a fresh indicator named %s each call", (spec, key) => {
    const make = parseIndicatorSpec(spec);
    const a = make();
    const b = make();
    expect(a.name).toBe(key);
    expect(describeIndicatorSpec(spec).key).toBe(key);
    expect(a, "a new instance per call").not.toBe(b);
    expect(a.isReady).toBe(false);
  });

  it.each([
    "",
    "sma",
    "sma:",
    "sma:0",
    "sma:-5",
    "sma:1.5",
    "sma:50:2",
    "ema:abc",
    "rsi:14:1",
    "macd:12:26",
    "macd:26:12:9",
    "bollinger:20:0",
    "bollinger:20:x",
    "vwap:5",
    "stoch:14",
  ])("refuses %j with InvalidArgumentError quoting it", (spec) => {
    let caught: unknown;
    try {
      parseIndicatorSpec(spec);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidArgumentError);
    expect((caught as Error).message).toContain(JSON.stringify(spec));
  });
});
