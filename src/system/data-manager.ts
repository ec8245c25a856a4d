import type { TradingCalendar } from "../calendar/trading-calendar.js";
import { SessiondataError } from "../domain/errors.js";
import type { BarStore } from "../history/bar-store.js";
import { type AdjustMode, checkAdjustMode, importFile } from "../history/public.js";
import type { SessionData, SessionMetrics } from "../store/public.js";
import {
  type BacktestOptions,
  BacktestStreamCoordinator,
  type ReplayAnalysis,
  type ReplayUpkeep,
} from "../stream/public.js";
import { DataUpkeep, noWait } from "../upkeep/public.js";
import { followCorporateActions, replayView } from "./corporate-replay.js";

/** Options of {@link DataManager.importFile}: those of the history layer's `importFile`. */
export type ImportFileOptions = NonNullable<Parameters<typeof importFile>[2]>;
/** What {@link DataManager.importFile} resolves to: `{ symbols, rows, skipped }`. */
export type ImportFileResult = Awaited<ReturnType<typeof importFile>>;

/**
 * Options of {@link DataManager.createBacktest}: those of the coordinator, minus what the
 * manager supplies (the store, session data, calendar, analysis engine and gap repair), which
 * may still be overridden.
 */
export type CreateBacktestOptions = Omit<
  BacktestOptions,
  "barStore" | "sessionData" | "calendar" | "upkeep"
> &
  Partial<Pick<BacktestOptions, "barStore" | "sessionData" | "calendar">> & {
    /**
     * Gap repair driven by the replay's clock. By default a `DataUpkeep` that refills from the
     * replay's bar store (backoff accounted, not waited, so the report stays deterministic);
     * another `ReplayUpkeep` to use that one; `false` for none.
     */
    readonly upkeep?: ReplayUpkeep | false;
    /**
     * Corporate actions (the store's factor and map files): `split` (default) scales prices and
     * volumes by the split factor, `total` by dividends too, both relative to the range's last
     * session; `raw` keeps raw prices and the analysis engine rescales indicators at splits.
     * Renamed securities replay under the name asked for, in every mode.
     */
    readonly adjust?: AdjustMode;
  };

/** What a {@link DataManager} is built from (the {@link SystemManager} supplies it). */
export interface DataManagerParts {
  readonly sessionData: SessionData;
  readonly calendar: TradingCalendar;
  /** The historical store, once open; `undefined` before `SystemManager.start()`. */
  readonly barStore: () => BarStore | undefined;
  readonly analysisEngine?: ReplayAnalysis;
}

/**
 * The façade over the data side of the system: the session store, the historical store, imports
 * and backtests. Reach it as `getSystemManager().dataManager`.
 *
 * @example
 * ```ts
 * const system = getSystemManager();
 * await system.start();
 * await system.dataManager.importFile("aapl.csv", { symbol: "AAPL" });
 * const report = await system.dataManager.createBacktest({ from: "2024-01-02", to: "2024-01-31" }).run();
 * // across a split: raw prices, indicators rescaled at it (default "split": split-adjusted prices)
 * await system.dataManager.createBacktest({ symbols: ["NVDA"], from: "2024-06-03", to: "2024-06-14", adjust: "raw" }).run();
 * system.dataManager.getSessionMetrics("AAPL")?.barQuality;
 * ```
 */
export class DataManager {
  readonly #parts: DataManagerParts;

  constructor(parts: DataManagerParts) {
    this.#parts = parts;
  }

  /** The session store the whole system reads and writes. */
  get sessionData(): SessionData {
    return this.#parts.sessionData;
  }

  /** The historical bar store; throws until the system manager was started. */
  get barStore(): BarStore {
    const store = this.#parts.barStore();
    if (store === undefined) {
      throw new SessiondataError("the bar store is not open: call SystemManager.start() first");
    }
    return store;
  }

  /** The current session's metrics of `symbol` (or those of a past session still in history). */
  getSessionMetrics(symbol: string, date?: string): SessionMetrics | undefined {
    return this.#parts.sessionData.getSessionMetrics(symbol, date);
  }

  /** Imports a file (CSV, LEAN, Binance, Parquet) into the historical store. */
  importFile(path: string, options?: ImportFileOptions): Promise<ImportFileResult> {
    return importFile(this.barStore, path, options);
  }

  /**
   * A replay of the historical store into the session store, with the system's calendar,
   * analysis engine (so the report carries indicator values and trend) and gap repair (the
   * report's `upkeep` section: gaps detected, filled, unfillable, final quality). Corporate
   * actions apply in mode `adjust` (see {@link CreateBacktestOptions}): the coordinator and gap
   * repair read an `AdjustedBarStore` over the store, and the session store hears each symbol's
   * factors and splits at session starts.
   */
  createBacktest(options: CreateBacktestOptions): BacktestStreamCoordinator {
    // The system's engine listens to the system's store: it only fits a replay into that store.
    const analysisEngine =
      options.sessionData === undefined || options.sessionData === this.#parts.sessionData
        ? this.#parts.analysisEngine
        : undefined;
    const { upkeep: chosen, adjust: mode, ...rest } = options;
    const adjust = checkAdjustMode(mode);
    const sessionData = options.sessionData ?? this.#parts.sessionData;
    const calendar = options.calendar ?? this.#parts.calendar;
    // The coordinator and gap repair read the adjusted view; neither knows of corporate actions.
    const view = replayView(
      options.barStore ?? this.barStore,
      calendar,
      adjust,
      options.from,
      options.to,
    );
    const barStore = view;
    const upkeep =
      chosen === false
        ? undefined
        : (chosen ?? new DataUpkeep({ sessionData, source: barStore, calendar, sleep: noWait }));
    const replay = new BacktestStreamCoordinator({
      ...(analysisEngine === undefined ? {} : { analysisEngine }),
      ...rest,
      barStore,
      sessionData,
      calendar,
      ...(upkeep === undefined ? {} : { upkeep }),
    });
    followCorporateActions(replay, view, sessionData, calendar);
    return replay;
  }
}
