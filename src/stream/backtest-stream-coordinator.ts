import { performance } from "node:perf_hooks";
import type { TradingCalendar } from "../calendar/trading-calendar.js";
import { type Bar, MINUTE_MS } from "../domain/bar.js";
import { InvalidArgumentError, SessiondataError } from "../domain/errors.js";
import type { BarStore, Coverage } from "../history/bar-store.js";
import type { SessionData } from "../store/public.js";
import {
  checkBacktestOptions,
  checkSessionStoreAt,
  listenersOf,
  type SessionRun,
  sessionWindows,
} from "./backtest-options.js";
import type {
  BacktestEventName,
  BacktestEvents,
  BacktestOptions,
  BacktestReport,
  ReplayAnalysis,
  ReplayHours,
  ReplaySpeed,
} from "./backtest-types.js";
import { ReplayClock } from "./replay-clock.js";
import { backtestReport } from "./replay-report.js";
import { resolveReplaySymbols, storedRanges } from "./replay-symbols.js";
import type { ReplayUpkeep } from "./replay-upkeep.js";
import { readCoverage, scanRowsIn } from "./replay-work.js";
import { seededRandom } from "./seeded-random.js";
import { SkippedSessions } from "./skipped-sessions.js";
import { SymbolRows } from "./symbol-rows.js";

type Listener<E extends BacktestEventName> = (event: BacktestEvents[E]) => void;

/**
 * Replays a range of sessions from a {@link BarStore} into {@link SessionData}, one slice per
 * minute: every bar of minute `t` is in the store before any event of minute `t`, ties in symbol
 * order (the store's scan order), so a run is deterministic event for event.
 *
 * Memory stays bounded whatever the range: bars stream from one `barStore.scan` over the range,
 * chunk by chunk, and the store keeps only its current session and a few prior ones. Session
 * boundaries come from the calendar: the store is rolled (`startSession`) at each session's
 * first minute, `sessionStart`/`sessionEnd` frame its slices; sessions without bars are skipped.
 *
 * With `upkeep`, after the bars of minute `t` the store's clock moves to `t + 60_000` and, every
 * `upkeep.interval` of simulated time and at each session end, `upkeep.runOnce(now)` is awaited
 * before the slice event, so listeners see repaired data. `dropRate`/`seed` leave a seeded
 * fraction of bars out of the stream (fault injection; counted as `droppedBars`).
 *
 * @example
 * ```ts
 * const replay = new BacktestStreamCoordinator({
 *   barStore, sessionData: getSessionData(), calendar: xnysCalendar,
 *   symbols: ["AAPL", "MSFT"], from: "2024-01-02", to: "2024-01-31",
 * });
 * replay.on("slice", ({ time, bars }) => strategy.onMinute(time, bars));
 * const report = await replay.run();
 * console.log(report.bars, report.barsPerSecond);
 * ```
 */
export class BacktestStreamCoordinator {
  readonly #store: BarStore;
  readonly #sd: SessionData;
  readonly #calendar: TradingCalendar;
  readonly #requested: readonly string[] | undefined;
  readonly #sessions: readonly string[];
  readonly #hours: ReplayHours;
  readonly #upkeep: ReplayUpkeep | undefined;
  readonly #analysis: ReplayAnalysis | undefined;
  readonly #dropRate: number;
  readonly #random: () => number;
  readonly #chunkSize: number | undefined;
  readonly #progressSteps: number;
  readonly #clock: ReplayClock;
  #skipped = new SkippedSessions(undefined, []);
  readonly #listeners: { [E in BacktestEventName]: Set<Listener<E>> } = {
    slice: new Set(),
    sessionStart: new Set(),
    sessionEnd: new Set(),
    progress: new Set(),
    end: new Set(),
  };
  #started = false;
  #sessionsPlayed = 0;
  #slices = 0;
  #bars = 0;
  #dropped = 0;
  #startWall = 0;
  #nextProgress = 0;
  #nextUpkeep = 0;
  #lastUpkeepNow = Number.NEGATIVE_INFINITY;
  #lastMinute = Number.NaN;
  /** Rows the scan has read, and about how many it will read in all: progress is their ratio. */
  #rowsRead = 0;
  #rowsScanned = 0;
  #rowsExpected = 0;
  #lastFraction = -1;
  readonly #rows: SymbolRows;
  #symbols: readonly string[] = [];

  constructor(options: BacktestOptions) {
    const { sessions, hours, dropRate, chunkSize, upkeep } = checkBacktestOptions(options);
    this.#sessions = sessions;
    this.#store = options.barStore;
    this.#sd = options.sessionData;
    this.#calendar = options.calendar;
    this.#requested = options.symbols === undefined ? undefined : [...new Set(options.symbols)];
    this.#hours = hours;
    this.#upkeep = upkeep;
    this.#analysis = options.analysisEngine;
    this.#dropRate = dropRate;
    this.#random = seededRandom(options.seed ?? 1);
    this.#chunkSize = chunkSize;
    this.#progressSteps = Math.max(1, Math.floor(options.progressSteps ?? 200));
    this.#clock = new ReplayClock(options.speed ?? "max", options.wallClock);
    this.#rows = new SymbolRows(options.sessionData, upkeep);
  }

  /** The session dates of the range, in order (those without bars are skipped when replaying). */
  get sessionDates(): readonly string[] {
    return this.#sessions;
  }

  /** Subscribes to an event; returns the function that unsubscribes. Listeners run synchronously. */
  on<E extends BacktestEventName>(event: E, listener: Listener<E>): () => void {
    if (typeof listener !== "function") throw new InvalidArgumentError("on expects a function");
    listenersOf(this.#listeners, event).add(listener);
    return () => this.off(event, listener);
  }

  /** Removes a listener added with {@link on}. */
  off<E extends BacktestEventName>(event: E, listener: Listener<E>): void {
    listenersOf(this.#listeners, event).delete(listener);
  }

  /** Holds the replay before its next minute until {@link resume}; works at any speed. */
  pause(): void {
    this.#clock.pause();
  }

  resume(): void {
    this.#clock.resume();
  }

  /** Re-paces the replay (`"max"` or a multiple of real time) from the minute it is at. */
  setSpeed(speed: ReplaySpeed): void {
    this.#clock.setSpeed(speed, this.#lastMinute);
  }

  /** Ends the replay before its next minute; `run()` resolves with the report so far. */
  stop(): void {
    this.#clock.stop();
  }

  get paused(): boolean {
    return this.#clock.paused;
  }

  /**
   * Replays the range. Resolves with the report once the last session ended (or `stop()` was
   * called); rejects on an unknown symbol, a session store already past the range's first
   * session, a store failure or a listener's exception. Runs once.
   */
  async run(): Promise<BacktestReport> {
    if (this.#started) throw new SessiondataError("this backtest has already run; create another");
    checkSessionStoreAt(this.#sd.currentSession, this.#sessions[0]!);
    this.#started = true;
    this.#startWall = performance.now();
    const symbols = await resolveReplaySymbols(this.#store, this.#requested);
    this.#symbols = symbols;
    let coverage: ReadonlyMap<string, Coverage> | undefined;
    if (this.#upkeep?.setStoredRanges !== undefined) {
      coverage = await readCoverage(this.#store, symbols);
      this.#upkeep.setStoredRanges(storedRanges(coverage));
    }
    await this.#replay(symbols, coverage);
    if (!this.#clock.stopped && this.#listeners.progress.size > 0 && this.#lastFraction < 1) {
      this.#emitProgress(1, this.#lastMinute);
    }
    const report = this.#report(symbols);
    this.#emit("end", report);
    return report;
  }

  /**
   * The hot loop. One scan covers the whole range (the store pipelines it: DuckDB sorts the next
   * window while this drains one) and session boundaries are found by time; bars between the
   * sessions' windows (extended hours of a regular replay) are read and passed over. Awaits
   * happen only between minutes, and only when something needs them (upkeep, pacing, a pause,
   * a turn for the event loop).
   */
  async #replay(
    symbols: readonly string[],
    coverage: ReadonlyMap<string, Coverage> | undefined,
  ): Promise<void> {
    const windows = sessionWindows(this.#calendar, this.#sessions, this.#hours);
    this.#skipped = new SkippedSessions(this.#upkeep, windows);
    const sd = this.#sd;
    const clock = this.#clock;
    const dropRate = this.#dropRate;
    const random = this.#random;
    const sliceListeners = this.#listeners.slice;
    let w = 0;
    // The session begun and not yet ended.
    let run: SessionRun | undefined;
    let minute = Number.NaN;
    // Whether the current minute is outside every window, and whether a slice is open.
    let skip = false;
    let open = false;
    let sliceBars: Map<string, Bar> | undefined;
    let pending = 0;
    let dropped = 0;
    if (this.#listeners.progress.size > 0) {
      const span = [windows[0]!.from, windows[windows.length - 1]!.to] as const;
      const read = coverage ?? (await readCoverage(this.#store, symbols));
      this.#rowsExpected = scanRowsIn(read, ...span);
    }
    const chunks = this.#store.scan({
      symbols,
      from: windows[0]!.from,
      to: windows[windows.length - 1]!.to,
      ...(this.#chunkSize === undefined ? {} : { chunkSize: this.#chunkSize }),
    });
    scan: for await (const chunk of chunks) {
      const { length, symbol, time, open: o, high, low, close, volume } = chunk;
      const base = this.#rowsScanned;
      this.#rowsScanned += length;
      for (let i = 0; i < length; i++) {
        const t = time[i]!;
        if (t !== minute) {
          if (open) {
            this.#countBars(run!, pending);
            pending = 0;
            // Every row before this one is done.
            this.#rowsRead = base + i;
            await this.#finishSlice(run!, minute, sliceBars);
            open = false;
          }
          if (t >= windows[w]!.to) {
            if (run !== undefined) await this.#endSession(run);
            run = undefined;
            while (w < windows.length - 1 && t >= windows[w]!.to) w++;
          }
          minute = t;
          skip = t < windows[w]!.from || t >= windows[w]!.to;
          if (skip) continue;
          // A stop() heard at the end of the previous minute or session starts nothing more.
          if (clock.stopped) break scan;
          if (run === undefined) {
            run = windows[w]!;
            this.#beginSession(run, t);
          }
          if (!clock.isMax || clock.mustCheck) await clock.waitFor(t);
          if (clock.stopped) break scan;
          open = true;
          run.slices++;
          this.#lastMinute = t;
          sliceBars = sliceListeners.size > 0 ? new Map() : undefined;
        } else if (skip) continue;
        pending++;
        if (dropRate > 0 && random() < dropRate) {
          dropped++;
          continue;
        }
        const name = symbol[i]!;
        if (sliceBars === undefined) {
          // Nobody keeps this bar: the store copies the numbers into its columns (and makes its
          // own object for its listeners), so it needs none.
          sd.addBarValues(name, t, o[i]!, high[i]!, low[i]!, close[i]!, volume[i]!, "replay");
        } else {
          const bar: Bar = {
            time: t,
            open: o[i]!,
            high: high[i]!,
            low: low[i]!,
            close: close[i]!,
            volume: volume[i]!,
          };
          sd.addBar(name, bar, "replay");
          sliceBars.set(name, bar);
        }
      }
    }
    this.#dropped += dropped;
    if (clock.stopped) return;
    if (run !== undefined) {
      if (open) {
        this.#countBars(run, pending);
        this.#rowsRead = this.#rowsScanned;
        await this.#finishSlice(run, minute, sliceBars);
      }
      await this.#endSession(run);
    }
    this.#skipped.skipTo(windows.length);
  }

  #countBars(run: SessionRun, bars: number): void {
    run.bars += bars;
    this.#bars += bars;
  }

  /** Minute `t` is complete in the store: clock, upkeep (when due), then the slice event. */
  async #finishSlice(
    run: SessionRun,
    t: number,
    bars: Map<string, Bar> | undefined,
  ): Promise<void> {
    if (this.#closeSlice(t)) await this.#runUpkeep(run, t + MINUTE_MS);
    this.#publishSlice(run, t, bars);
  }

  #beginSession(run: SessionRun, firstMinute: number): void {
    this.#skipped.played(run.index);
    this.#sessionsPlayed++;
    // Rolling explicitly (rather than on the first stored bar) keeps the clock and upkeep on this
    // session even when its first bars are dropped.
    this.#sd.startSession(run.date);
    this.#nextUpkeep = run.from + (this.#upkeep?.interval ?? 0);
    this.#clock.anchor(firstMinute);
    this.#emit("sessionStart", { date: run.date, session: run.session, index: run.index });
  }

  /**
   * Closes minute `t` once its last bar is stored: the store's clock moves to the minute's end.
   * Returns whether upkeep is due (kept synchronous so a replay without upkeep awaits nothing).
   */
  #closeSlice(t: number): boolean {
    this.#slices++;
    const now = t + MINUTE_MS;
    this.#sd.advanceClock(now);
    return this.#upkeep !== undefined && now >= this.#nextUpkeep;
  }

  async #runUpkeep(run: SessionRun, now: number): Promise<void> {
    const upkeep = this.#upkeep!;
    this.#lastUpkeepNow = now;
    await upkeep.runOnce(now);
    const interval = upkeep.interval;
    this.#nextUpkeep = run.from + (Math.floor((now - run.from) / interval) + 1) * interval;
  }

  /** Tells listeners of minute `t` (after upkeep repaired what it could) and reports progress. */
  #publishSlice(run: SessionRun, t: number, bars: Map<string, Bar> | undefined): void {
    if (bars !== undefined) this.#emit("slice", { time: t, bars });
    if (this.#listeners.progress.size > 0) {
      const now = t + MINUTE_MS;
      // Work done (rows read of those expected), not calendar span: sessions without data cost
      // nothing. The calendar span is the measure only when nothing is stored in the range.
      const fraction =
        this.#rowsExpected > 0
          ? Math.min(this.#rowsRead / this.#rowsExpected, 1)
          : (run.index + (now - run.from) / (run.to - run.from)) / this.#sessions.length;
      if (fraction >= this.#nextProgress || !this.#clock.isMax) {
        this.#nextProgress = (Math.floor(fraction * this.#progressSteps) + 1) / this.#progressSteps;
        this.#emitProgress(Math.min(fraction, 1), t);
      }
    }
  }

  async #endSession(run: SessionRun): Promise<void> {
    this.#sd.advanceClock(Math.max(run.session.close, run.to));
    if (this.#upkeep !== undefined) {
      // Upkeep's notion of "now" never goes back, also when post-market slices ran past the close.
      const now = Math.max(run.session.close, this.#lastUpkeepNow);
      this.#lastUpkeepNow = now;
      await this.#upkeep.runOnce(now);
    }
    this.#rows.recordSession(this.#symbols, run.date);
    const { index, date, session, bars } = run;
    this.#emit("sessionEnd", { date, session, index, bars, slices: run.slices });
  }

  #emitProgress(fraction: number, time: number): void {
    this.#lastFraction = fraction;
    const seconds = (performance.now() - this.#startWall) / 1000;
    const date = this.#sd.currentSession ?? this.#sessions[0]!;
    this.#emit("progress", {
      fraction,
      date,
      time,
      bars: this.#bars,
      slices: this.#slices,
      barsPerSecond: seconds > 0 ? this.#bars / seconds : 0,
    });
  }

  #emit<E extends BacktestEventName>(event: E, payload: BacktestEvents[E]): void {
    for (const listener of this.#listeners[event]) listener(payload);
  }

  #report(symbols: readonly string[]): BacktestReport {
    return backtestReport({
      sessions: this.#sessionsPlayed,
      slices: this.#slices,
      bars: this.#bars,
      wallMs: performance.now() - this.#startWall,
      droppedBars: this.#dropRate > 0 ? this.#dropped : undefined,
      stopped: this.#clock.stopped,
      symbols: this.#rows.rows(symbols, this.#analysis),
      upkeep: this.#upkeep?.report?.(),
    });
  }
}
