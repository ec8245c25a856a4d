import { qualityPercent } from "../domain/quality.js";
import type { SessionData, SessionMetrics } from "../store/public.js";
import type { ReplayAnalysis, SymbolReport } from "./backtest-types.js";
import type { ReplayUpkeep } from "./replay-upkeep.js";

/**
 * The per-symbol rows of a backtest report. A symbol whose data ends before the replay's last
 * session keeps the row of its own last session with bars (recorded at each session end, per
 * session and never per bar), with the time of its last bar and of its indicators, instead of an
 * empty later session beside old indicator values.
 */
export class SymbolRows {
  readonly #sd: SessionData;
  readonly #upkeep: ReplayUpkeep | undefined;
  readonly #last = new Map<string, SessionMetrics>();

  constructor(sessionData: SessionData, upkeep: ReplayUpkeep | undefined) {
    this.#sd = sessionData;
    this.#upkeep = upkeep;
  }

  /** Records the metrics of every symbol that had bars in session `date`, which just ended. */
  recordSession(symbols: readonly string[], date: string): void {
    for (const symbol of symbols) {
      const m = this.#sd.getSessionMetrics(symbol);
      if (m === undefined || m.sessionDate !== date || m.barCount === 0) continue;
      // Upkeep's figure, not the store's: minutes outside the symbol's stored range (a partial
      // first or last day) are not expected, as in `sessiondata quality`.
      const q = this.#upkeep?.sessionQuality?.(symbol);
      this.#last.set(
        symbol,
        q === undefined
          ? m
          : {
              ...m,
              expectedBarCount: q.expected,
              missingBarCount: q.expected - q.present,
              barQuality: qualityPercent(q.present, q.expected),
            },
      );
    }
  }

  /** The report's rows of `symbols`, in that order. */
  rows(
    symbols: readonly string[],
    analysis: ReplayAnalysis | undefined,
  ): Record<string, SymbolReport> {
    const out: Record<string, SymbolReport> = {};
    for (const symbol of symbols) {
      const result = analysis?.analyze(symbol);
      const metrics = this.#last.get(symbol) ?? this.#sd.getSessionMetrics(symbol) ?? null;
      const indicatorsTime = result?.time;
      out[symbol] = {
        metrics,
        lastBarTime: metrics === null || metrics.barCount === 0 ? null : metrics.lastBarTime,
        indicatorsTime: typeof indicatorsTime === "number" ? indicatorsTime : null,
        indicators: result?.indicators ?? {},
        trend: result?.trend ?? null,
      };
    }
    return out;
  }
}
