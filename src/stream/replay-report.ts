import type { BacktestReport, SymbolReport } from "./backtest-types.js";

/** What a replay counted, for {@link backtestReport}. */
export interface ReplayTotals {
  readonly sessions: number;
  readonly slices: number;
  readonly bars: number;
  readonly wallMs: number;
  /** Bars left out by fault injection; `undefined` when no drop rate was set. */
  readonly droppedBars: number | undefined;
  readonly stopped: boolean;
  readonly symbols: Record<string, SymbolReport>;
  readonly upkeep: Record<string, unknown> | undefined;
}

/** The report `run()` resolves with: optional fields only when they say something. */
export function backtestReport(totals: ReplayTotals): BacktestReport {
  const { wallMs, bars, upkeep } = totals;
  return {
    sessions: totals.sessions,
    slices: totals.slices,
    bars,
    wallMs,
    barsPerSecond: wallMs > 0 ? bars / (wallMs / 1000) : 0,
    ...(totals.droppedBars === undefined ? {} : { droppedBars: totals.droppedBars }),
    ...(totals.stopped ? { stopped: true } : {}),
    symbols: totals.symbols,
    ...(upkeep === undefined ? {} : { upkeep }),
  };
}
