// The analysis layer's public surface, exported by hand.

export {
  AnalysisEngine,
  type AnalysisEngineOptions,
  type AnalysisListener,
} from "./analysis-engine.js";
export { AnalysisWorkerError } from "./analysis-workers.js";
export { BollingerBands, type BollingerValue } from "./bollinger-bands.js";
export type { Indicator, IndicatorFactory, IndicatorValue } from "./indicator.js";
export { Macd, type MacdValue } from "./macd.js";
export { Ema, Sma } from "./moving-averages.js";
export { Rsi } from "./rsi.js";
export {
  describeIndicatorSpec,
  INDICATOR_SPECS,
  type ParsedIndicatorSpec,
  parseIndicatorSpec,
} from "./spec.js";
export type { AnalysisResult, Trend } from "./symbol-analysis.js";
export {
  type FromTradingSignalsOptions,
  fromTradingSignals,
  type TradingSignalsIndicator,
  type TradingSignalsInput,
} from "./trading-signals-adapter.js";
export { Vwap } from "./vwap.js";
export { Atr } from "./wilder.js";
