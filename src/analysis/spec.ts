import { InvalidArgumentError } from "../domain/errors.js";
import { BollingerBands } from "./bollinger-bands.js";
import type { IndicatorFactory } from "./indicator.js";
import { Macd } from "./macd.js";
import { Ema, Sma } from "./moving-averages.js";
import { Rsi } from "./rsi.js";
import { Vwap } from "./vwap.js";
import { Atr } from "./wilder.js";

/**
 * The built-in indicators a spec string can name, with their parameters and defaults:
 * `sma:N`, `ema:N`, `rsi[:N=14]`, `macd[:fast=12:slow=26:signal=9]`,
 * `bollinger[:N=20[:multiplier=2]]`, `atr[:N=14]`, `vwap`.
 */
export const INDICATOR_SPECS: readonly string[] = [
  "sma:N",
  "ema:N",
  "rsi[:N=14]",
  "macd[:12:26:9]",
  "bollinger[:20[:2]]",
  "atr[:N=14]",
  "vwap",
];

/** A parsed indicator spec: the result key and a factory of fresh instances. */
export interface ParsedIndicatorSpec {
  /** The spec as given. */
  readonly spec: string;
  /** The key results use: `sma50`, `macd12_26_9`, `bollinger20_2`, `vwap`. */
  readonly key: string;
  readonly create: IndicatorFactory;
}

/**
 * Turns a spec string (`"sma:50"`, `"ema:20"`, `"rsi:14"`, `"macd:12:26:9"`,
 * `"bollinger:20:2"`, `"atr:14"`, `"vwap"`) into a factory of fresh indicators. Names are
 * case-insensitive and surrounding spaces are ignored. Anything else throws
 * {@link InvalidArgumentError} quoting the spec.
 *
 * @example
 * ```ts
 * const make = parseIndicatorSpec("rsi:14");
 * const rsi = make(); // rsi.name === "rsi14"
 * ```
 */
export function parseIndicatorSpec(spec: string): IndicatorFactory {
  return describeIndicatorSpec(spec).create;
}

/**
 * Like {@link parseIndicatorSpec}, also giving the result key, without building an indicator.
 *
 * @example
 * ```ts
 * describeIndicatorSpec("macd").key; // "macd12_26_9"
 * ```
 */
export function describeIndicatorSpec(spec: string): ParsedIndicatorSpec {
  if (typeof spec !== "string") {
    throw new InvalidArgumentError(`indicator spec must be a string, got ${String(spec)}`);
  }
  const parts = spec.trim().toLowerCase().split(":");
  const kind = parts[0];
  const args = parts.slice(1);
  const fail = (why: string): never => {
    throw new InvalidArgumentError(
      `invalid indicator spec ${JSON.stringify(spec)}: ${why} (expected one of ${INDICATOR_SPECS.join(", ")})`,
    );
  };
  const arity = (min: number, max: number): void => {
    if (args.length < min || args.length > max) {
      fail(
        min === max
          ? `${kind} takes ${min} parameter${min === 1 ? "" : "s"}`
          : `${kind} takes ${min} to ${max} parameters`,
      );
    }
  };
  const int = (index: number, fallback?: number): number => {
    const text = args[index];
    if (text === undefined && fallback !== undefined) return fallback;
    if (text === undefined || !/^[1-9]\d{0,6}$/.test(text)) {
      return fail(`${JSON.stringify(text ?? "")} is not a whole number from 1 to 9999999`);
    }
    return Number(text);
  };
  const positive = (index: number, fallback: number): number => {
    const text = args[index];
    if (text === undefined) return fallback;
    const value = /^\d+(\.\d+)?$/.test(text) ? Number(text) : Number.NaN;
    if (!(value > 0) || !Number.isFinite(value))
      fail(`${JSON.stringify(text)} is not a number > 0`);
    return value;
  };
  const done = (key: string, create: IndicatorFactory): ParsedIndicatorSpec => ({
    spec,
    key,
    create,
  });

  switch (kind) {
    case "sma": {
      arity(1, 1);
      const n = int(0);
      return done(`sma${n}`, () => new Sma(n));
    }
    case "ema": {
      arity(1, 1);
      const n = int(0);
      return done(`ema${n}`, () => new Ema(n));
    }
    case "rsi": {
      arity(0, 1);
      const n = int(0, 14);
      return done(`rsi${n}`, () => new Rsi(n));
    }
    case "atr": {
      arity(0, 1);
      const n = int(0, 14);
      return done(`atr${n}`, () => new Atr(n));
    }
    case "macd": {
      if (args.length !== 0 && args.length !== 3) fail("macd takes 0 or 3 parameters");
      const [fast, slow, signal] = [int(0, 12), int(1, 26), int(2, 9)];
      if (fast >= slow) fail(`the fast period ${fast} must be below the slow period ${slow}`);
      return done(`macd${fast}_${slow}_${signal}`, () => new Macd(fast, slow, signal));
    }
    case "bollinger": {
      arity(0, 2);
      const n = int(0, 20);
      const multiplier = positive(1, 2);
      return done(`bollinger${n}_${multiplier}`, () => new BollingerBands(n, multiplier));
    }
    case "vwap": {
      arity(0, 0);
      return done("vwap", () => new Vwap());
    }
    default:
      return fail(`unknown indicator ${JSON.stringify(kind ?? "")}`);
  }
}
