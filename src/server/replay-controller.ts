/**
 * The replay behind `GET/POST /api/replay`: starts a {@link BacktestStreamCoordinator} over the
 * bar store (with gap repair by a fresh {@link DataUpkeep}), and pauses, resumes, re-paces and
 * stops it. One replay at a time.
 *
 * Starting a replay CLEARS the session data: a replay plays its range from the first session,
 * and the store refuses a session older than its current one. The server is the only writer of
 * the session data it is given.
 */
import type { TradingCalendar } from "../calendar/trading-calendar.js";
import type { Bar } from "../domain/bar.js";
import { SessiondataError } from "../domain/errors.js";
import type { BarStore } from "../history/bar-store.js";
import { type AdjustMode, checkAdjustMode } from "../history/corporate/adjust-mode.js";
import { storedSessionRange } from "../history/stored-range.js";
import type { SessionData } from "../store/public.js";
import {
  type BacktestReport,
  BacktestStreamCoordinator,
  type ReplayAnalysis,
  type ReplaySpeed,
} from "../stream/public.js";
import { corporateReplaySource } from "../system/corporate-replay.js";
import { DataUpkeep, noWait, type UpkeepEvent } from "../upkeep/public.js";
import { ApiError } from "./api-error.js";

/** Where a replay stands. */
export type ReplayPhase =
  | "idle"
  | "running"
  | "paused"
  | "stopping"
  | "finished"
  | "stopped"
  | "failed";

/** What `GET /api/replay` answers. Times are epoch ms; `null` where nothing happened yet. */
export interface ReplayState {
  readonly state: ReplayPhase;
  readonly speed: ReplaySpeed;
  readonly from: string | null;
  readonly to: string | null;
  /** Symbols replayed (count). */
  readonly symbols: number;
  readonly dropRate: number;
  readonly sessionDate: string | null;
  /** The latest slice's minute. */
  readonly time: number | null;
  readonly slices: number;
  readonly bars: number;
  /** 0..1 of the range by simulated time. */
  readonly fraction: number;
  readonly barsPerSecond: number;
  /** The report's totals once the replay ended (per-symbol details are on the symbol routes). */
  readonly report: Omit<BacktestReport, "symbols"> | null;
  readonly error: string | null;
}

/** What `start` accepts (already validated by zod). */
export interface ReplayStartOptions {
  readonly symbols?: readonly string[];
  readonly from?: string;
  readonly to?: string;
  readonly speed?: ReplaySpeed;
  readonly dropRate?: number;
  /** Corporate actions for this replay: `raw`, `split` or `total` (default: the controller's). */
  readonly adjust?: AdjustMode;
}

/** Listeners the server wires to the hub and the gap log. */
export interface ReplayHooks {
  /** A new replay is about to clear the store. */
  onReset?(): void;
  onSlice?(time: number, bars: ReadonlyMap<string, Bar>): void;
  onSession?(event: "start" | "end", date: string): void;
  onUpkeep?(event: UpkeepEvent): void;
  /** The state changed (called often during a replay; coalesce it). */
  onState?(): void;
}

/** Options of a {@link ReplayController}. */
export interface ReplayControllerOptions {
  readonly sessionData: SessionData;
  /** The bars to replay; without one every start answers 409. */
  readonly barStore: BarStore | undefined;
  readonly calendar: TradingCalendar;
  readonly analysis?: ReplayAnalysis;
  readonly hooks?: ReplayHooks;
  /** Gap repair during replays (default true). */
  readonly upkeep?: boolean;
  /**
   * Corporate actions of replays that name none (default `split`, as `sessiondata backtest`):
   * bars adjusted by the store's factor files, the session store told of each split.
   */
  readonly adjust?: AdjustMode;
}

/**
 * Owns at most one running replay and answers its state.
 *
 * @example
 * ```ts
 * const replay = new ReplayController({ sessionData: sd, barStore, calendar: xnysCalendar });
 * await replay.start({ speed: 600 });
 * replay.pause();
 * ```
 */
export class ReplayController {
  readonly #sd: SessionData;
  readonly #store: BarStore | undefined;
  readonly #calendar: TradingCalendar;
  readonly #analysis: ReplayAnalysis | undefined;
  readonly #hooks: ReplayHooks;
  readonly #adjust: AdjustMode;
  readonly #upkeep: boolean;
  #coordinator: BacktestStreamCoordinator | undefined;
  #starting = false;
  #running: Promise<unknown> | undefined;
  #phase: ReplayPhase = "idle";
  #speed: ReplaySpeed = "max";
  #from: string | null = null;
  #to: string | null = null;
  #symbols = 0;
  #dropRate = 0;
  #sessionDate: string | null = null;
  #time: number | null = null;
  #slices = 0;
  #bars = 0;
  #fraction = 0;
  #startWall = 0;
  #endWall = 0;
  #report: Omit<BacktestReport, "symbols"> | null = null;
  #error: string | null = null;

  constructor(options: ReplayControllerOptions) {
    this.#sd = options.sessionData;
    this.#store = options.barStore;
    this.#calendar = options.calendar;
    this.#analysis = options.analysis;
    this.#hooks = options.hooks ?? {};
    this.#adjust = checkAdjustMode(options.adjust);
    this.#upkeep = options.upkeep ?? true;
  }

  /** The current state, a fresh object. */
  get state(): ReplayState {
    const end =
      this.#phase === "running" || this.#phase === "paused" ? performance.now() : this.#endWall;
    const seconds = (end - this.#startWall) / 1000;
    return {
      state: this.#phase,
      speed: this.#speed,
      from: this.#from,
      to: this.#to,
      symbols: this.#symbols,
      dropRate: this.#dropRate,
      sessionDate: this.#sessionDate,
      time: this.#time,
      slices: this.#slices,
      bars: this.#bars,
      fraction: this.#fraction,
      barsPerSecond: seconds > 0 ? Math.round(this.#bars / seconds) : 0,
      report: this.#report,
      error: this.#error,
    };
  }

  /** Whether a replay is playing or paused. */
  get active(): boolean {
    return this.#phase === "running" || this.#phase === "paused" || this.#phase === "stopping";
  }

  /** Resolves when the current replay (if any) has ended. */
  async settled(): Promise<void> {
    await this.#running?.catch(() => undefined);
  }

  /**
   * Starts a replay of `symbols` (default: every symbol of the bar store) over the sessions
   * `from`..`to` (default: the whole stored range). Throws {@link ApiError} 409 while another
   * replay plays, 404 for a symbol the bar store lacks, 400 for an empty range.
   */
  async start(options: ReplayStartOptions): Promise<ReplayState> {
    if (this.#phase === "running" || this.#phase === "paused" || this.#starting) {
      throw new ApiError(
        409,
        `a replay is ${this.#starting ? "starting" : this.#phase}; stop it first`,
      );
    }
    this.#starting = true;
    try {
      return await this.#start(options);
    } finally {
      this.#starting = false;
    }
  }

  async #start(options: ReplayStartOptions): Promise<ReplayState> {
    const store = this.#store;
    if (store === undefined) throw new ApiError(409, "no bar store: the server cannot replay");
    // A replay being stopped ends before its next minute; the new one waits for that.
    await this.settled();
    const known = await store.symbols();
    if (known.length === 0) throw new ApiError(409, "the bar store holds no bars to replay");
    let symbols = known;
    if (options.symbols !== undefined) {
      const have = new Set(known);
      const unknown = [...new Set(options.symbols)].filter((s) => !have.has(s));
      if (unknown.length > 0) {
        throw new ApiError(
          404,
          `unknown symbol${unknown.length > 1 ? "s" : ""} ${unknown.join(", ")}: the bar store has no bars for it`,
        );
      }
      symbols = [...new Set(options.symbols)].sort();
    }
    const range = await storedSessionRange(store, symbols, this.#calendar);
    if (range === undefined)
      throw new ApiError(409, "the bar store holds no bars of these symbols");
    const from = options.from ?? range.from;
    const to = options.to ?? range.to;
    if (from > to) throw new ApiError(400, `from: ${from} is after to ${to}`);
    // Refused before the store is cleared: an empty replay would only wipe what the page shows.
    if (this.#calendar.sessionsBetween(from, to).length === 0) {
      throw new ApiError(400, `from, to: no ${this.#calendar.name} sessions in ${from}..${to}`);
    }
    if (to < range.from || from > range.to) {
      throw new ApiError(
        400,
        `from, to: the bar store has no bars in ${from}..${to} (it holds ${range.from}..${range.to})`,
      );
    }
    const speed = options.speed ?? "max";
    const dropRate = options.dropRate ?? 0;
    // The adjusted view of the store (a store without factor files passes its bars through).
    const source = corporateReplaySource({
      barStore: store,
      calendar: this.#calendar,
      adjust: options.adjust ?? this.#adjust,
      from,
      to,
    });
    let coordinator: BacktestStreamCoordinator;
    let upkeep: DataUpkeep | undefined;
    if (this.#upkeep) {
      upkeep = new DataUpkeep({
        sessionData: this.#sd,
        source: source.barStore,
        calendar: this.#calendar,
        sleep: noWait,
      });
    }
    try {
      coordinator = new BacktestStreamCoordinator({
        barStore: source.barStore,
        sessionData: this.#sd,
        calendar: this.#calendar,
        symbols,
        from,
        to,
        speed,
        dropRate,
        ...(upkeep === undefined ? {} : { upkeep }),
        ...(this.#analysis === undefined ? {} : { analysisEngine: this.#analysis }),
      });
    } catch (error) {
      if (error instanceof SessiondataError) throw new ApiError(400, error.message);
      throw error;
    }
    // Nothing can fail any more: reset, then play.
    this.#hooks.onReset?.();
    this.#sd.clear();
    if (upkeep !== undefined && this.#hooks.onUpkeep !== undefined)
      upkeep.subscribe(this.#hooks.onUpkeep);
    this.#coordinator = coordinator;
    this.#phase = "running";
    this.#speed = speed;
    this.#from = from;
    this.#to = to;
    this.#symbols = symbols.length;
    this.#dropRate = dropRate;
    this.#sessionDate = null;
    this.#time = null;
    this.#slices = 0;
    this.#bars = 0;
    this.#fraction = 0;
    this.#report = null;
    this.#error = null;
    this.#startWall = performance.now();
    this.#wire(coordinator);
    source.follow(coordinator, this.#sd);
    this.#running = coordinator.run().then(
      (report) => {
        const { symbols: _perSymbol, ...totals } = report;
        this.#report = totals;
        this.#end(report.stopped === true ? "stopped" : "finished");
      },
      (error: unknown) => {
        this.#error = error instanceof Error ? error.message : String(error);
        this.#end("failed");
      },
    );
    this.#hooks.onState?.();
    return this.state;
  }

  /** Holds a running replay before its next minute. */
  pause(): ReplayState {
    if (this.#phase !== "running")
      throw new ApiError(409, `cannot pause: the replay is ${this.#phase}`);
    this.#coordinator!.pause();
    this.#phase = "paused";
    this.#hooks.onState?.();
    return this.state;
  }

  /** Continues a paused replay. */
  resume(): ReplayState {
    if (this.#phase !== "paused")
      throw new ApiError(409, `cannot resume: the replay is ${this.#phase}`);
    this.#coordinator!.resume();
    this.#phase = "running";
    this.#hooks.onState?.();
    return this.state;
  }

  /** Ends a running or paused replay before its next minute. */
  stop(): ReplayState {
    if (this.#phase !== "running" && this.#phase !== "paused") {
      throw new ApiError(409, `cannot stop: the replay is ${this.#phase}`);
    }
    this.#coordinator!.stop();
    this.#phase = "stopping";
    this.#hooks.onState?.();
    return this.state;
  }

  /** Re-paces a running or paused replay from its current minute on. */
  setSpeed(speed: ReplaySpeed): ReplayState {
    if (this.#phase !== "running" && this.#phase !== "paused") {
      throw new ApiError(409, `cannot change speed: the replay is ${this.#phase}`);
    }
    this.#coordinator!.setSpeed(speed);
    this.#speed = speed;
    this.#hooks.onState?.();
    return this.state;
  }

  #wire(c: BacktestStreamCoordinator): void {
    const hooks = this.#hooks;
    c.on("slice", ({ time, bars }) => {
      this.#slices++;
      this.#bars += bars.size;
      this.#time = time;
      hooks.onSlice?.(time, bars);
      hooks.onState?.();
    });
    c.on("sessionStart", ({ date }) => {
      this.#sessionDate = date;
      hooks.onSession?.("start", date);
    });
    c.on("sessionEnd", ({ date }) => hooks.onSession?.("end", date));
    c.on("progress", ({ fraction }) => {
      this.#fraction = fraction;
    });
  }

  #end(phase: ReplayPhase): void {
    this.#phase = phase;
    this.#endWall = performance.now();
    if (phase === "finished") this.#fraction = 1;
    this.#coordinator = undefined;
    this.#hooks.onState?.();
  }
}
