// The stream layer's public surface, exported by hand.
export { BacktestStreamCoordinator } from "./backtest-stream-coordinator.js";
export type {
  BacktestEventName,
  BacktestEvents,
  BacktestOptions,
  BacktestReport,
  ProgressEvent,
  ReplayAnalysis,
  ReplayHours,
  ReplaySpeed,
  SessionEndEvent,
  SessionStartEvent,
  SliceEvent,
  SymbolReport,
} from "./backtest-types.js";
export { mergeBacktestReports } from "./merge-reports.js";
export type { ReplayUpkeep } from "./replay-upkeep.js";
