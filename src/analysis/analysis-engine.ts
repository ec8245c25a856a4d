import type { Session } from "../calendar/trading-calendar.js";
import { InvalidArgumentError } from "../domain/errors.js";
import type {
  BarArrival,
  SessionData,
  SessionDataEvent,
  SymbolSessionData,
} from "../store/public.js";
import { AnalysisWorkers } from "./analysis-workers.js";
import type { IndicatorFactory } from "./indicator.js";
import { parseIndicatorSpec } from "./spec.js";
import { type AnalysisContext, type AnalysisResult, SymbolAnalysis } from "./symbol-analysis.js";

/** The indicators an engine runs when none are named. */
export const DEFAULT_INDICATORS: readonly string[] = ["sma:50", "ema:20", "rsi:14"];

/** Options of {@link AnalysisEngine}. */
export interface AnalysisEngineOptions {
  /** The store to follow. */
  readonly sessionData: SessionData;
  /**
   * The set every symbol gets: spec strings (`"sma:50"`, `"macd:12:26:9"`, see
   * `parseIndicatorSpec`) or factories (e.g. of a `fromTradingSignals` adapter). Names must be
   * distinct. Default `["sma:50", "ema:20", "rsi:14"]`.
   */
  readonly indicators?: readonly (string | IndicatorFactory)[];
  /**
   * Bars of history (prior sessions kept by the store) fed to a symbol's set when it first
   * appears, so it is ready at the session open. Default: 3 × the largest `warmupPeriod` of the
   * set (150 for the default set), which also lets the EMA and RSI forget their seed.
   */
  readonly warmupBars?: number;
  /**
   * Whether indicators see extended-hours bars. Default `false`: only regular-session bars, the
   * convention of daily-chart indicators and of the store's own metrics, so pre-market prints
   * on thin volume do not move an SMA-50 of the regular session. With `true` every stored bar
   * counts, and the session VWAP covers pre- and post-market too.
   */
  readonly extendedHours?: boolean;
  /**
   * Worker threads to analyse on (default: none, the calling thread). Symbols are given to the
   * workers in turn as they first appear; results equal the single-threaded engine's. Only spec
   * strings (factories cannot cross threads), a built-in calendar, and no `subscribe`; see
   * README "Analysis on worker threads".
   */
  readonly workers?: number;
}

/** Hears every new {@link AnalysisResult}. */
export type AnalysisListener = (result: AnalysisResult) => void;

/**
 * Incremental indicators per symbol, fed by a {@link SessionData}'s events.
 *
 * - Each bar is fed once, in time order, as the store announces it (`append`); a correction of
 *   the latest bar goes through `Indicator.replace`. A late bar in the middle of the session
 *   (`insert`), or a correction of an older bar, rebuilds that symbol's set: from a snapshot
 *   taken at the session start plus the session's bars when every indicator has `clone` (the
 *   built-ins do; cost O(session bars × indicators), about 390 × 3 updates for an XNYS day),
 *   otherwise from a fresh set warmed up from history plus the session's bars (O((warm-up +
 *   session bars) × indicators)). Either way the values are those of in-order arrival.
 * - Indicators run as one continuous series across sessions (as in LEAN); a symbol seen for the
 *   first time is warmed up from `getHistoricalBars`. Session-scoped indicators (VWAP) restart at
 *   each session through `Indicator.startSession`.
 * - `analyze(symbol)` is synchronous and reflects every bar in the store, also when called from
 *   another store listener that runs before the engine's own: it reads the store and catches up
 *   (appends, inserts, corrections). Knowing that nothing changed costs one read: the engine
 *   keeps the symbol handle's `revision` after the last write it took in.
 * - It follows the store through a bar hook (`subscribeBars`): a bar costs no object, and the
 *   indicators are fed one reused bar object per symbol (the `Indicator` contract: they copy
 *   what they need and keep no bar).
 * - Results go to `subscribe` listeners after every bar that reaches the indicators; they are
 *   built only when someone listens.
 *
 * @example
 * ```ts
 * const sd = new SessionData();
 * const engine = new AnalysisEngine({ sessionData: sd, indicators: ["sma:50", "ema:20", "rsi:14"] });
 * engine.subscribe((r) => console.log(r.symbol, r.trend, r.indicators.rsi14));
 * sd.addBar("AAPL", bar);
 * engine.analyze("AAPL"); // { symbol, time, price, indicators: { sma50, ema20, rsi14 }, trend }
 * engine.dispose();
 * ```
 */
export class AnalysisEngine {
  /** The store followed. */
  readonly sessionData: SessionData;
  /** Result keys of the set, in order (`["sma50", "ema20", "rsi14"]`). */
  readonly indicatorNames: readonly string[];
  /** History bars fed to a new symbol's set. */
  readonly warmupBars: number;
  /** Whether extended-hours bars reach the indicators. */
  readonly extendedHours: boolean;
  readonly #ctx: AnalysisContext;
  readonly #states = new Map<string, SymbolAnalysis>();
  /**
   * The same states by the store handle's `key`: the bar hook's look-up is an array index, not a
   * map probe by name. Filled on a symbol's first bar after its handle appeared; a handle made
   * anew (the symbol dropped out and came back) finds its state through `#states` again.
   */
  #byKey: (SymbolAnalysis | undefined)[] = [];
  #listeners: AnalysisListener[] = [];
  #unsubscribe: (() => void) | undefined;
  readonly #sessions = new Map<string, Session | undefined>();
  #lastSession: Session | undefined;
  /** With `workers`: the threads that do the work (the engine then only forwards). */
  readonly #workers: AnalysisWorkers | undefined;

  constructor(options: AnalysisEngineOptions) {
    const sd = options?.sessionData;
    if (sd === undefined || typeof sd.subscribeBars !== "function") {
      throw new InvalidArgumentError("AnalysisEngine needs a sessionData (a SessionData)");
    }
    const specs = options.indicators ?? DEFAULT_INDICATORS;
    if (!Array.isArray(specs)) {
      throw new InvalidArgumentError(
        `indicators must be an array of specs or factories, got ${JSON.stringify(specs)}`,
      );
    }
    const factories = specs.map((spec): IndicatorFactory => {
      if (typeof spec === "function") return spec;
      return parseIndicatorSpec(spec);
    });
    const probe = factories.map((make) => make());
    const names = probe.map((i) => i.name);
    const duplicate = names.find((name, i) => names.indexOf(name) !== i);
    if (duplicate !== undefined) {
      throw new InvalidArgumentError(
        `indicator ${JSON.stringify(duplicate)} appears twice in the set`,
      );
    }
    const longest = Math.max(0, ...probe.map((i) => i.warmupPeriod ?? 0));
    const warmupBars = options.warmupBars ?? 3 * longest;
    if (!Number.isInteger(warmupBars) || warmupBars < 0) {
      throw new InvalidArgumentError(`warmupBars must be a whole number >= 0, got ${warmupBars}`);
    }
    this.sessionData = sd;
    this.indicatorNames = names;
    this.warmupBars = warmupBars;
    this.extendedHours = options.extendedHours ?? false;
    this.#ctx = {
      sessionData: sd,
      factories,
      warmupBars,
      extendedHours: this.extendedHours,
      session: (date) => this.#session(date),
      sessionAt: (time) => this.#sessionAt(time),
    };
    if (options.workers !== undefined) {
      const strings = specs.filter((spec): spec is string => typeof spec === "string");
      if (strings.length !== specs.length) {
        throw new InvalidArgumentError("AnalysisEngine workers take indicator spec strings only");
      }
      this.#workers = new AnalysisWorkers({
        sessionData: sd,
        specs: strings,
        factories,
        names,
        warmupBars,
        extendedHours: this.extendedHours,
        workers: options.workers,
      });
      this.#unsubscribe = () => this.#workers?.dispose();
      return;
    }
    this.#workers = undefined;
    // A bar hook, not a listener: the store makes no event or bar object per bar for the engine.
    this.#unsubscribe = sd.subscribeBars({
      onBar: (handle, time, open, high, low, close, volume, arrival, regular, sessionDate) =>
        this.#onBar(handle, time, open, high, low, close, volume, arrival, regular, sessionDate),
      onEvent: (event) => this.#onEvent(event),
    });
  }

  /**
   * The indicators of `symbol` as of every bar the store holds, or `undefined` for a symbol the
   * store and the engine do not know (or after `dispose`). Allocates the result.
   */
  analyze(symbol: string): AnalysisResult | undefined {
    if (this.#unsubscribe === undefined) return undefined;
    if (this.#workers !== undefined) return this.#workers.analyze(symbol);
    let state = this.#states.get(symbol);
    if (state === undefined) {
      if (this.sessionData.getSymbol(symbol) === undefined) return undefined;
      state = new SymbolAnalysis(symbol, this.#ctx);
      this.#states.set(symbol, state);
    } else {
      state.sync();
    }
    return state.result();
  }

  /**
   * The results of `symbols` in their order (`undefined` for unknown ones): `analyze` of each,
   * but with `workers` every worker takes its share at once.
   */
  analyzeMany(symbols: readonly string[]): (AnalysisResult | undefined)[] {
    if (this.#workers !== undefined) return this.#workers.analyzeMany(symbols);
    return symbols.map((s) => this.analyze(s));
  }

  /** Symbols with an indicator set, sorted. */
  symbols(): string[] {
    if (this.#workers !== undefined) return this.#workers.symbols();
    return [...this.#states.keys()].sort();
  }

  /**
   * Hears a result after every bar that reaches the indicators. Returns the unsubscribe
   * function. A listener that throws is reported with `process.emitWarning` and does not stop
   * the others.
   */
  subscribe(listener: AnalysisListener): () => void {
    if (typeof listener !== "function") {
      throw new InvalidArgumentError("subscribe expects a function");
    }
    if (this.#workers !== undefined) {
      throw new InvalidArgumentError("subscribe is not available with workers: call analyze");
    }
    this.#listeners = [...this.#listeners, listener];
    return () => {
      this.#listeners = this.#listeners.filter((l) => l !== listener);
    };
  }

  /** Stops following the store and forgets every set. Idempotent. */
  dispose(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    this.#states.clear();
    this.#byKey = [];
    this.#listeners = [];
  }

  #onBar(
    handle: SymbolSessionData,
    time: number,
    open: number,
    high: number,
    low: number,
    close: number,
    volume: number,
    arrival: BarArrival,
    regular: boolean,
    sessionDate: string,
  ): void {
    let state = this.#byKey[handle.key];
    if (state === undefined) {
      const symbol = handle.symbol;
      state = this.#states.get(symbol);
      if (state === undefined) {
        // Creation reads the store, which already holds this bar.
        state = new SymbolAnalysis(symbol, this.#ctx);
        this.#states.set(symbol, state);
        this.#byKey[handle.key] = state;
        if (this.#listeners.length > 0 && (regular || this.extendedHours)) this.#emit(state);
        return;
      }
      this.#byKey[handle.key] = state;
    }
    const changed = state.onBar(
      handle,
      time,
      open,
      high,
      low,
      close,
      volume,
      arrival,
      regular,
      sessionDate,
    );
    if (changed && this.#listeners.length > 0) this.#emit(state);
  }

  #onEvent(event: SessionDataEvent): void {
    if (event.type === "corporateAction") {
      // Raw replays only (an adjusted one's rescale is 1): keeps indicators continuous at a split.
      if (event.rescale !== 1) this.#states.get(event.symbol)?.rescale(event.date, event.rescale);
      return;
    }
    if (event.type === "clear") {
      this.#states.clear();
      this.#byKey = [];
      this.#sessions.clear();
      this.#lastSession = undefined;
    }
  }

  #emit(state: SymbolAnalysis): void {
    const result = state.result();
    const listeners = this.#listeners;
    for (let i = 0; i < listeners.length; i++) {
      try {
        listeners[i]!(result);
      } catch (error) {
        const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
        process.emitWarning(`an AnalysisEngine listener threw: ${message}`, {
          type: "AnalysisListenerWarning",
        });
      }
    }
  }

  #session(date: string): Session | undefined {
    if (this.#sessions.has(date)) return this.#sessions.get(date);
    const session = this.sessionData.calendar.session(date);
    this.#sessions.set(date, session);
    return session;
  }

  #sessionAt(time: number): Session | undefined {
    const last = this.#lastSession;
    if (last !== undefined && time >= last.preOpen && time < last.postClose) return last;
    const date = this.sessionData.calendar.sessionDateOf(time);
    const session = date === undefined ? undefined : this.#session(date);
    if (session !== undefined) this.#lastSession = session;
    return session;
  }
}
