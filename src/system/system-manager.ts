import { AnalysisEngine } from "../analysis/public.js";
import type { TradingCalendar } from "../calendar/trading-calendar.js";
import { xnysCalendar } from "../calendar/xnys.js";
import { InvalidArgumentError } from "../domain/errors.js";
import type { BarStore } from "../history/bar-store.js";
import { DuckDbBarStore, defaultDbPath } from "../history/public.js";
import { getSessionData, SessionData } from "../store/public.js";
import { DataManager } from "./data-manager.js";

// Assigned by SystemManager's static block, so declared before the class.
/** Builds the process-wide manager anew over `sessionData`, taking over the old one's bar store. */
let succeed: (old: SystemManager, sessionData: SessionData) => SystemManager;

/** Options of {@link SystemManager}. */
export interface SystemManagerOptions {
  /** The exchange calendar (default: XNYS). */
  readonly calendar?: TradingCalendar;
  /** The DuckDB file `start()` opens (default: `defaultDbPath()`; `":memory:"` allowed). */
  readonly dbPath?: string;
  /** A historical store to use instead of opening a DuckDB file; `stop()` leaves it open. */
  readonly barStore?: BarStore;
  /** Indicator specs for the analysis engine (default: the engine's, `sma:50`, `ema:20`, `rsi:14`). */
  readonly indicators?: readonly string[];
  /** Prior sessions the session store keeps (default: the store's, 5). */
  readonly historySessions?: number;
  /** Whether indicators also take pre- and post-market bars (default false: regular session only). */
  readonly extendedHours?: boolean;
  /** An existing session store to use instead of a new one (its calendar must be `calendar`). */
  readonly sessionData?: SessionData;
}

/**
 * The composition root: picks the concrete adapters (the DuckDB store, the calendar) and wires
 * the session store, the analysis engine and the {@link DataManager} together.
 * `getSystemManager()` gives the process-wide one, whose `sessionData` is `getSessionData()`;
 * `new SystemManager(options)` an isolated one with a store of its own.
 *
 * @example
 * ```ts
 * const system = getSystemManager();
 * await system.start();                     // opens sessiondata.duckdb
 * const report = await system.dataManager
 *   .createBacktest({ symbols: ["AAPL"], from: "2024-01-02", to: "2024-01-31" })
 *   .run();
 * system.analysisEngine.analyze("AAPL")?.trend;
 * await system.stop();
 * ```
 */
export class SystemManager {
  /** The exchange calendar every part uses. */
  readonly calendar: TradingCalendar;
  /** The session store. */
  readonly sessionData: SessionData;
  /** Incremental indicators over the session store, fed by its events. */
  readonly analysisEngine: AnalysisEngine;
  /** The data façade: metrics, imports, backtests. */
  readonly dataManager: DataManager;
  readonly #options: SystemManagerOptions;
  readonly #dbPath: string | undefined;
  readonly #givenStore: BarStore | undefined;
  #store: BarStore | undefined;
  #opening: Promise<void> | undefined;

  constructor(options: SystemManagerOptions = {}) {
    this.#options = options;
    const sessionData = options.sessionData;
    this.calendar = options.calendar ?? sessionData?.calendar ?? xnysCalendar;
    this.sessionData =
      sessionData ??
      new SessionData({
        calendar: this.calendar,
        ...(options.historySessions === undefined
          ? {}
          : { historySessions: options.historySessions }),
      });
    if (this.sessionData.calendar !== this.calendar) {
      throw new InvalidArgumentError(
        `calendar ${this.calendar.name} differs from the session store's ${this.sessionData.calendar.name}`,
      );
    }
    this.analysisEngine = new AnalysisEngine({
      sessionData: this.sessionData,
      ...(options.indicators === undefined ? {} : { indicators: options.indicators }),
      ...(options.extendedHours === undefined ? {} : { extendedHours: options.extendedHours }),
    });
    this.#dbPath = options.dbPath;
    this.#givenStore = options.barStore;
    this.#store = options.barStore;
    this.dataManager = new DataManager({
      sessionData: this.sessionData,
      calendar: this.calendar,
      barStore: () => this.#store,
      analysisEngine: this.analysisEngine,
    });
  }

  // A static block reaches the private fields of both managers; the hand-over stays off the class's API.
  static {
    succeed = (old, sessionData) => {
      old.analysisEngine.dispose();
      const next = new SystemManager({ ...old.#options, sessionData });
      // The historical store (open, or being opened) changes hands: the successor closes it.
      if (old.#opening !== undefined) {
        next.#opening = old.#opening.then(
          () => {
            next.#store = old.#store;
            old.#store = old.#givenStore;
            next.#opening = undefined;
          },
          (error: unknown) => {
            next.#opening = undefined;
            throw error;
          },
        );
        // The old start() caller hears a failed open; unawaited here it must not crash the process.
        next.#opening.catch(() => undefined);
      } else {
        next.#store = old.#store;
        old.#store = old.#givenStore;
      }
      return next;
    };
  }

  /** Whether the historical store is open. */
  get started(): boolean {
    return this.#store !== undefined;
  }

  /** The DuckDB file `start()` opens, or `undefined` when a store was given. */
  get dbPath(): string | undefined {
    return this.#givenStore === undefined ? (this.#dbPath ?? defaultDbPath()) : undefined;
  }

  /** Opens the historical store (the DuckDB file) unless one was given. Idempotent. */
  async start(): Promise<void> {
    if (this.#store !== undefined) return;
    this.#opening ??= DuckDbBarStore.open(this.dbPath!).then(
      (store) => {
        this.#store = store;
        this.#opening = undefined;
      },
      (error: unknown) => {
        this.#opening = undefined;
        throw error;
      },
    );
    await this.#opening;
  }

  /** Closes the DuckDB store `start()` opened (a given store stays open). Idempotent. */
  async stop(): Promise<void> {
    if (this.#opening !== undefined) await this.#opening.catch(() => undefined);
    const store = this.#store;
    if (store === undefined || store === this.#givenStore) return;
    this.#store = undefined;
    await store.close();
  }
}

let instance: SystemManager | undefined;

/**
 * The process-wide {@link SystemManager}, created on first use; its `sessionData` is
 * `getSessionData()`. Options apply to that first call only: passing them once it exists is an
 * error rather than being silently ignored. After `resetSessionData()` the next call returns a
 * successor over the new `getSessionData()` (same options; it takes over the open bar store).
 *
 * @example
 * ```ts
 * await getSystemManager().start();
 * getSystemManager().dataManager.getSessionMetrics("AAPL");
 * ```
 */
export function getSystemManager(options?: SystemManagerOptions): SystemManager {
  if (instance !== undefined) {
    if (options !== undefined) {
      throw new InvalidArgumentError(
        "the process-wide SystemManager exists already: pass options on the first call only, or use new SystemManager(options)",
      );
    }
    // resetSessionData() replaced the process-wide store: follow it, so getSessionData(),
    // this manager's sessionData and getSessionTracker() go on reaching one store.
    const current = getSessionData();
    if (instance.sessionData !== current) instance = succeed(instance, current);
    return instance;
  }
  const sessionData = getSessionData();
  if (options?.historySessions !== undefined || options?.sessionData !== undefined) {
    throw new InvalidArgumentError(
      "historySessions and sessionData cannot be set on the process-wide SystemManager (its store is getSessionData()); use new SystemManager(options)",
    );
  }
  if (options?.calendar !== undefined && options.calendar !== sessionData.calendar) {
    throw new InvalidArgumentError(
      `the process-wide SystemManager uses getSessionData(), whose calendar is ${sessionData.calendar.name}, not ${options.calendar.name}: use new SystemManager({ calendar }) for another calendar`,
    );
  }
  instance = new SystemManager({ ...options, sessionData });
  return instance;
}

/**
 * Stops and forgets the process-wide {@link SystemManager} (for tests and restarts); its analysis
 * engine stops following the store.
 */
export async function resetSystemManager(): Promise<void> {
  const current = instance;
  instance = undefined;
  current?.analysisEngine.dispose();
  await current?.stop();
}
