import type { Bar } from "../domain/bar.js";
import { InvalidArgumentError } from "../domain/errors.js";
import type { Indicator, IndicatorValue } from "./indicator.js";

/**
 * The part of a `trading-signals` indicator the adapter uses (v5 and later: `update(input,
 * replace)`, `getResult()`, `isStable`; v7+ also `add`/`replace`). Typed structurally so the
 * library does not depend on `trading-signals` at run time.
 */
export interface TradingSignalsIndicator<Input = unknown> {
  update(input: Input, replace: boolean): unknown;
  getResult(): unknown;
  readonly isStable: boolean;
  getRequiredInputs?(): number;
}

/** What a wrapped indicator is fed: the close, the bar as a candle, or whatever a function picks. */
export type TradingSignalsInput<Input> = "close" | "candle" | ((bar: Bar) => Input);

/** Options of {@link fromTradingSignals}. */
export interface FromTradingSignalsOptions<Input> {
  /**
   * `"close"` (default) for price indicators (`SMA`, `RSI`, `MACD`, …); `"candle"` for candle
   * indicators (`ATR`, `VWAP`, `ADX`, …), which get a fresh `{ open, high, low, close, volume }`
   * copy (some of them keep the candle object); or a function of the bar (called with a copy,
   * so it may pass the bar itself on).
   */
  readonly input?: TradingSignalsInput<Input>;
}

/**
 * Lets any `trading-signals` indicator plug in as an {@link Indicator}.
 *
 * `source` is an instance or, better, a factory: `reset()` needs one to start afresh (on an
 * instance it throws `InvalidArgumentError`). The adapter has no `clone`, so the engine rebuilds
 * a set holding one from history after a late bar (see `AnalysisEngine`). `value` is the
 * indicator's `getResult()` once `isStable`: a number, or an object's numeric fields copied
 * (e.g. `MACD`'s `{ histogram, macd, signal }`).
 *
 * @example
 * ```ts
 * import { CCI, WMA } from "trading-signals";
 * const cci = fromTradingSignals("cci20", () => new CCI(20), { input: "candle" });
 * const wma10 = () => fromTradingSignals("wma10", () => new WMA(10));
 * new AnalysisEngine({ sessionData, indicators: ["sma:50", wma10] });
 * ```
 */
export function fromTradingSignals<Input = number>(
  name: string,
  source: TradingSignalsIndicator<Input> | (() => TradingSignalsIndicator<Input>),
  options: FromTradingSignalsOptions<Input> = {},
): Indicator {
  if (typeof name !== "string" || name.length === 0) {
    throw new InvalidArgumentError(
      `fromTradingSignals needs a non-empty name, got ${String(name)}`,
    );
  }
  const factory = typeof source === "function" ? source : undefined;
  const first = factory === undefined ? source : factory();
  if (!isTradingSignalsIndicator(first)) {
    throw new InvalidArgumentError(
      `fromTradingSignals("${name}"): not a trading-signals indicator (needs update(input, replace), getResult() and isStable)`,
    );
  }
  return new TradingSignalsAdapter(name, first, factory, inputOf(options.input ?? "close"));
}

class TradingSignalsAdapter<Input> implements Indicator {
  readonly name: string;
  readonly warmupPeriod: number | undefined;
  #inner: TradingSignalsIndicator<Input>;
  #fed = false;
  readonly #factory: (() => TradingSignalsIndicator<Input>) | undefined;
  readonly #input: (bar: Bar) => Input;

  constructor(
    name: string,
    inner: TradingSignalsIndicator<Input>,
    factory: (() => TradingSignalsIndicator<Input>) | undefined,
    input: (bar: Bar) => Input,
  ) {
    this.name = name;
    this.#inner = inner;
    this.#factory = factory;
    this.#input = input;
    const required = inner.getRequiredInputs?.();
    this.warmupPeriod = typeof required === "number" && required > 0 ? required : undefined;
  }

  get isReady(): boolean {
    return this.#inner.isStable;
  }

  get value(): IndicatorValue | undefined {
    return this.#inner.isStable ? toValue(this.#inner.getResult()) : undefined;
  }

  update(bar: Bar): void {
    this.#inner.update(this.#input(bar), false);
    this.#fed = true;
  }

  replace(bar: Bar): void {
    // trading-signals' replace on an empty indicator adds; keep that explicit.
    this.#inner.update(this.#input(bar), this.#fed);
    this.#fed = true;
  }

  reset(): void {
    if (this.#factory === undefined) {
      if (!this.#fed) return;
      throw new InvalidArgumentError(
        `fromTradingSignals("${this.name}") was given an instance, which cannot be reset: pass a factory such as () => new SMA(50)`,
      );
    }
    this.#inner = this.#factory();
    this.#fed = false;
  }
}

function isTradingSignalsIndicator(value: unknown): value is TradingSignalsIndicator<never> {
  if (value === null || typeof value !== "object") return false;
  const candidate = value as Record<string, unknown>;
  return (
    typeof candidate.update === "function" &&
    typeof candidate.getResult === "function" &&
    "isStable" in candidate
  );
}

function inputOf<Input>(input: TradingSignalsInput<Input>): (bar: Bar) => Input {
  // The engine reuses one bar object per symbol; a function may hand the bar itself to the
  // library, which may keep it, so it gets a copy of its own.
  if (typeof input === "function") {
    return (bar) =>
      input({
        time: bar.time,
        open: bar.open,
        high: bar.high,
        low: bar.low,
        close: bar.close,
        volume: bar.volume,
      });
  }
  if (input === "close") return (bar) => bar.close as Input;
  if (input === "candle") {
    return (bar) =>
      ({
        open: bar.open,
        high: bar.high,
        low: bar.low,
        close: bar.close,
        volume: bar.volume,
      }) as Input;
  }
  throw new InvalidArgumentError(
    `fromTradingSignals input must be "close", "candle" or a function, got ${String(input)}`,
  );
}

function toValue(result: unknown): IndicatorValue | undefined {
  if (typeof result === "number") return result;
  if (result === null || typeof result !== "object") return undefined;
  const out: Record<string, number> = {};
  let any = false;
  for (const [key, field] of Object.entries(result)) {
    if (typeof field === "number") {
      out[key] = field;
      any = true;
    }
  }
  return any ? out : undefined;
}
