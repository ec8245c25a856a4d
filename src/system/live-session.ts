import type { TradingCalendar } from "../calendar/trading-calendar.js";
import { type Bar, MINUTE_MS } from "../domain/bar.js";
import { InvalidArgumentError, InvalidBarError, SessionMismatchError } from "../domain/errors.js";
import type { Provenance } from "../domain/provenance.js";
import { systemClock, type WallClock } from "../domain/wall-clock.js";
import type { BarStore } from "../history/bar-store.js";
import { LiveFeedError } from "../live/feed-errors.js";
import type { FeedStatus, LiveFeed } from "../live/live-feed.js";
import type { SessionData } from "../store/session-data.js";
import { DataUpkeep } from "../upkeep/data-upkeep.js";
import { BarPersister } from "./live/bar-persister.js";
import type { LiveCounts } from "./live/live-counts.js";

export type { LiveCounts } from "./live/live-counts.js";

/** Options of {@link LiveSession}. */
export interface LiveSessionOptions {
  readonly feed: LiveFeed;
  readonly sessionData: SessionData;
  /** Where closed bars are persisted and warm-up bars come from; none: nothing stored or warmed. */
  readonly barStore?: BarStore;
  /** Where warm-up bars come from, when not `barStore` (the sim reads the user's file, writes to memory). */
  readonly warmFrom?: BarStore;
  /** Which minutes are expected (late bars, upkeep); `sessionData.calendar` by default. */
  readonly calendar?: TradingCalendar;
  /** The symbols to subscribe (upper-cased). */
  readonly symbols: readonly string[];
  /** The wall clock (default the system's); the feed should run on the same one. */
  readonly clock?: WallClock;
  /** A minute's bar not seen this long after the minute closed raises `barLate`; 5,000 ms. */
  readonly lateAfterMs?: number;
  /** Upkeep's period on the wall clock, ms; 60,000. */
  readonly upkeepInterval?: number;
  /** The most the store lags behind (batch period), ms; 1,000. */
  readonly flushIntervalMs?: number;
  /** Prior sessions loaded for warm-up; `sessionData.historySessions` by default. */
  readonly warmupSessions?: number;
  /**
   * A bar whose minute closes more than this after the clock's now is refused as `future` (a
   * feed running ahead of real time): ms, 60,000.
   */
  readonly futureToleranceMs?: number;
}

/** A minute's bar that had not arrived `lateAfterMs` after the minute closed. */
export interface BarLateEvent {
  readonly symbol: string;
  /** The minute's open instant, epoch ms. */
  readonly minute: number;
}

/** What a {@link LiveSession} tells its listeners. */
export interface LiveSessionEvents {
  barLate: (event: BarLateEvent) => void;
  status: (status: FeedStatus) => void;
  /** A fault survived (the feed's, a store write's); counted in `counts().rejected`. */
  error: (error: Error) => void;
}

const REASON_PREVIOUS = "previous-session";

/**
 * A live trading session: a {@link LiveFeed}'s bars into `SessionData.addBar` (the path a replay
 * uses), every stored bar persisted to the `BarStore` in batches at most `flushIntervalMs`
 * behind (with its provenance), `barLate` for a minute not seen `lateAfterMs` after it closed,
 * and `DataUpkeep` on the wall clock repairing gaps from the feed's REST backfill. At start each
 * symbol is warmed up from the store: its prior sessions (for `getHistoricalBars` and indicator
 * warm-up) and what today already holds, in (time, symbol) order, as `replay` bars. Faults are
 * counted by reason and never end the session.
 *
 * @example
 * ```ts
 * const session = new LiveSession({
 *   feed: new BinanceKlineFeed({}), sessionData: new SessionData({ calendar: alwaysOpenCalendar }),
 *   barStore: await DuckDbBarStore.open("live.duckdb"), symbols: ["BTCUSDT"],
 * });
 * session.on("barLate", ({ symbol, minute }) => console.warn(symbol, new Date(minute)));
 * await session.start();
 * // … later
 * await session.stop();
 * session.counts(); // { bars, late, refilled, corrected, reconnects, stored, warmup, rejected }
 * ```
 */
export class LiveSession {
  readonly feed: LiveFeed;
  readonly sessionData: SessionData;
  /** The gap repair running on the wall clock from the feed's backfill. */
  readonly upkeep: DataUpkeep;
  readonly symbols: readonly string[];
  readonly #store: BarStore | undefined;
  readonly #calendar: TradingCalendar;
  readonly #clock: WallClock;
  readonly #lateAfterMs: number;
  readonly #futureMs: number;
  readonly #warmupSessions: number;
  readonly #persister: BarPersister | undefined;
  readonly #listeners: { [E in keyof LiveSessionEvents]: LiveSessionEvents[E][] } = {
    barLate: [],
    status: [],
    error: [],
  };
  readonly #rejected: Record<string, number> = {};
  #bars = 0;
  #late = 0;
  #refilled = 0;
  #corrected = 0;
  #reconnects = 0;
  #warmup = 0;
  #warming = false;
  #cancelLate: (() => void) | undefined;
  #offHook: (() => void) | undefined;
  #started = false;
  #lastState: string | undefined;
  /** The minute whose lateness is checked next (open instant). */
  #nextMinute = Number.NaN;

  constructor(options: LiveSessionOptions) {
    if (options.symbols.length === 0) {
      throw new InvalidArgumentError("LiveSession needs at least one symbol, got []");
    }
    const late = options.lateAfterMs ?? 5_000;
    if (!(late >= 0) || !Number.isFinite(late)) {
      throw new InvalidArgumentError(`lateAfterMs must be a finite number >= 0, got ${late}`);
    }
    this.feed = options.feed;
    this.sessionData = options.sessionData;
    this.symbols = [...new Set(options.symbols.map((s) => s.toUpperCase()))].sort();
    this.#store = options.warmFrom ?? options.barStore;
    this.#calendar = options.calendar ?? options.sessionData.calendar;
    this.#clock = options.clock ?? systemClock;
    this.#lateAfterMs = late;
    this.#futureMs = options.futureToleranceMs ?? 60_000;
    this.#warmupSessions = options.warmupSessions ?? options.sessionData.historySessions;
    this.upkeep = new DataUpkeep({
      sessionData: options.sessionData,
      source: options.feed.backfill,
      calendar: this.#calendar,
      interval: options.upkeepInterval ?? 60_000,
      symbols: this.symbols,
      wallClock: this.#clock,
      settleMs: late,
    });
    this.#persister =
      options.barStore === undefined
        ? undefined
        : new BarPersister(options.barStore, this.#clock, options.flushIntervalMs ?? 1_000, (e) =>
            this.#fault("store-write", e),
          );
  }

  on<E extends keyof LiveSessionEvents>(event: E, listener: LiveSessionEvents[E]): this {
    this.#listeners[event].push(listener);
    return this;
  }

  off<E extends keyof LiveSessionEvents>(event: E, listener: LiveSessionEvents[E]): this {
    const list = this.#listeners[event] as LiveSessionEvents[E][];
    const at = list.indexOf(listener);
    if (at >= 0) list.splice(at, 1);
    return this;
  }

  /** What happened so far. */
  counts(): LiveCounts {
    return {
      bars: this.#bars,
      late: this.#late,
      refilled: this.#refilled,
      corrected: this.#corrected,
      reconnects: this.#reconnects,
      stored: this.#persister?.stored ?? 0,
      warmup: this.#warmup,
      rejected: { ...this.#rejected },
    };
  }

  /** Warms up from the store, connects, subscribes, and starts persistence, late checks and upkeep. */
  async start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    this.#offHook = this.sessionData.subscribeBars({
      onBar: (sym, time, open, high, low, close, volume, _arrival, _regular, _date, provenance) => {
        if (this.#warming || provenance === "replay") return;
        this.#bars++;
        if (provenance === "refilled") this.#refilled++;
        else if (provenance === "corrected") this.#corrected++;
        this.#persister?.add(sym.symbol, { time, open, high, low, close, volume }, provenance);
      },
    });
    const feed = this.feed;
    try {
      await this.#warmUp();
      feed.on("bar", this.#onBar);
      feed.on("status", this.#onStatus);
      feed.on("error", this.#onError);
      await feed.connect();
      await feed.subscribe(this.symbols);
    } catch (error) {
      // Nothing half-started is left behind: the caller may fix the cause and start again.
      this.#started = false;
      feed.off("bar", this.#onBar);
      feed.off("status", this.#onStatus);
      feed.off("error", this.#onError);
      await feed.close().catch(() => undefined);
      this.#offHook?.();
      this.#offHook = undefined;
      throw error;
    }
    this.#persister?.start();
    this.upkeep.start();
    const now = this.#clock.now();
    this.#nextMinute = Math.floor(now / MINUTE_MS) * MINUTE_MS;
    this.#armLate();
  }

  /** Closes the feed, stops upkeep and the late checks, and writes what is queued. */
  async stop(): Promise<void> {
    if (!this.#started) return;
    this.#started = false;
    this.#cancelLate?.();
    this.#cancelLate = undefined;
    await this.feed.close();
    this.feed.off("bar", this.#onBar);
    this.feed.off("status", this.#onStatus);
    this.feed.off("error", this.#onError);
    await this.upkeep.stop();
    await this.#persister?.stop();
    this.#offHook?.();
    this.#offHook = undefined;
  }

  /** Writes the queued bars to the store now (tests, a clean hand-over). */
  async flush(): Promise<void> {
    await this.#persister?.flush();
  }

  async #warmUp(): Promise<void> {
    const store = this.#store;
    if (store === undefined) return;
    const now = this.#clock.now();
    const today = this.#calendar.sessionDateOf(now) ?? this.#sessionOnOrBefore(now);
    if (today === undefined) return;
    let first = today;
    for (let i = 0; i < this.#warmupSessions; i++) first = this.#calendar.previousSession(first);
    const from = this.#calendar.session(first)?.preOpen ?? now;
    this.#warming = true;
    try {
      for await (const chunk of store.scan({ symbols: this.symbols, from, to: now })) {
        for (let i = 0; i < chunk.length; i++) {
          const bar: Bar = {
            time: chunk.time[i]!,
            open: chunk.open[i]!,
            high: chunk.high[i]!,
            low: chunk.low[i]!,
            close: chunk.close[i]!,
            volume: chunk.volume[i]!,
          };
          try {
            this.sessionData.addBar(chunk.symbol[i]!, bar, "replay");
            this.#warmup++;
          } catch (error) {
            this.#count(error instanceof SessionMismatchError ? REASON_PREVIOUS : "warmup");
          }
        }
      }
    } finally {
      this.#warming = false;
    }
  }

  /** The latest session date at or before `t` when `t` itself is in none (a weekend start). */
  #sessionOnOrBefore(t: number): string | undefined {
    const day = new Date(t).toISOString().slice(0, 10);
    return this.#calendar.previousSession(day);
  }

  readonly #onBar = (symbol: string, bar: Bar, provenance: Provenance): void => {
    if (bar.time + MINUTE_MS > this.#clock.now() + this.#futureMs) {
      this.#fault(
        "future",
        new LiveFeedError(
          this.feed.name,
          "stale",
          `bar of ${symbol} at ${new Date(bar.time).toISOString()} has not closed yet by the clock (${new Date(this.#clock.now()).toISOString()})`,
          { symbol },
        ),
      );
      return;
    }
    try {
      this.sessionData.addBar(symbol, bar, provenance);
    } catch (error) {
      const reason =
        error instanceof SessionMismatchError
          ? error.barSession === undefined
            ? "no-session"
            : REASON_PREVIOUS
          : error instanceof InvalidBarError
            ? "invalid-bar"
            : "refused";
      this.#fault(reason, error instanceof Error ? error : new Error(String(error)));
    }
  };

  readonly #onStatus = (status: FeedStatus): void => {
    // A failed attempt re-emits `reconnecting` with its retry delay: one drop, one reconnect.
    if (status.state === "reconnecting" && this.#lastState !== "reconnecting") this.#reconnects++;
    this.#lastState = status.state;
    for (const l of this.#listeners.status.slice()) l(status);
  };

  readonly #onError = (error: Error): void => {
    this.#fault(error instanceof LiveFeedError ? error.kind : error.name, error);
  };

  #count(reason: string): void {
    this.#rejected[reason] = (this.#rejected[reason] ?? 0) + 1;
  }

  #fault(reason: string, error: Error): void {
    this.#count(reason);
    for (const l of this.#listeners.error.slice()) {
      try {
        l(error);
      } catch {
        // A throwing error listener has nobody left to tell.
      }
    }
  }

  /** A chain of one-shot timers, one per minute, each `lateAfterMs` after the minute closed. */
  #armLate(): void {
    const due = this.#nextMinute + MINUTE_MS + this.#lateAfterMs - this.#clock.now();
    this.#cancelLate = this.#clock.schedule(
      () => {
        const now = this.#clock.now();
        // Catch up minute by minute when the clock jumped (a suspended laptop, a fake clock).
        while (this.#nextMinute + MINUTE_MS + this.#lateAfterMs <= now) {
          this.#checkLate(this.#nextMinute);
          this.#nextMinute += MINUTE_MS;
        }
        if (this.#started) this.#armLate();
      },
      Math.max(0, due),
      { unref: true },
    );
  }

  #checkLate(minute: number): void {
    if (!this.#calendar.isOpen(minute)) return;
    const sd = this.sessionData;
    for (const symbol of this.symbols) {
      if (sd.getProvenance(symbol, minute) !== undefined) continue;
      this.#late++;
      const event: BarLateEvent = { symbol, minute };
      for (const l of this.#listeners.barLate.slice()) {
        try {
          l(event);
        } catch (error) {
          this.#fault("listener", error instanceof Error ? error : new Error(String(error)));
        }
      }
    }
  }
}
