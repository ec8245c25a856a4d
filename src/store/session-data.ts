import type { TradingCalendar } from "../calendar/trading-calendar.js";
import { xnysCalendar } from "../calendar/xnys.js";
import { type Bar, barProblem, MINUTE_MS } from "../domain/bar.js";
import { InvalidArgumentError, InvalidBarError, SessionMismatchError } from "../domain/errors.js";
import type { Provenance } from "../domain/provenance.js";
import { checkTimeframe, type Timeframe } from "../domain/timeframe.js";
import type { BarBuffer, BarView } from "./bar-buffer.js";
import type { BarSeries } from "./bar-columns.js";
import { type CorporateAction, type CorporateFactor, CorporateLedger } from "./corporate-ledger.js";
import type { SessionDataBarHook, SessionDataEvent, SessionDataListener } from "./events.js";
import type { SessionMetrics } from "./metrics.js";
import { provenanceCode } from "./provenance-column.js";
import { checkBufferCount, checkCount, checkSince } from "./read-checks.js";
import { type Rejection, Rejections } from "./rejections.js";
import {
  DETACH,
  DROP_HISTORY_BEFORE,
  ROLL,
  SET_REPAIR,
  SessionContext,
  WRITE,
} from "./session-context.js";
import type { AddBarsResult, SessionDataOptions } from "./session-data-options.js";
import type { SharedSessionDescriptor } from "./shared/shared-layout.js";
import { SharedSessionWriter, type ShareOptions } from "./shared/shared-session-writer.js";
import { Subscribers } from "./subscribers.js";
import { SymbolSessionData } from "./symbol-session-data.js";
import { isValidBar, isValidBarValues } from "./valid-bar.js";

export type { AddBarsResult, SessionDataOptions } from "./session-data-options.js";

/** What a view over no bars points at. */
const EMPTY_COLUMN = new Float64Array(0);

/**
 * The in-memory store of the current trading session's bars: per symbol, columnar 1-minute bars
 * (extended hours included), derived 5m/15m/30m/1h bars and metrics over the regular session,
 * and the symbol's prior sessions for warm-up.
 *
 * Writes validate first and change nothing when they refuse a bar; reads are synchronous and
 * allocate only what they return. Listeners run after the state is consistent; an exception in
 * a listener is caught and reported with `process.emitWarning` (type
 * `SessionDataListenerWarning`) and never reaches the writer or the store.
 *
 * @example
 * ```ts
 * const sd = new SessionData({ calendar: alwaysOpenCalendar });
 * sd.addBar("BTC", { time: Date.UTC(2024, 0, 2, 9, 30), open: 1, high: 2, low: 1, close: 2, volume: 5 });
 * sd.getLatestBar("BTC");          // { time: …, open: 1, high: 2, … }
 * sd.getSessionMetrics("BTC")?.vwap;
 * ```
 */
export class SessionData {
  /** The calendar sessions are reckoned by. */
  readonly calendar: TradingCalendar;
  /** Prior sessions kept in history. */
  readonly historySessions: number;
  #ctx: SessionContext;
  #symbols = new Map<string, SymbolSessionData>();
  /** Each symbol's corporate factors and actions, told by a replay (see applyCorporateAction). */
  readonly #corporate = new CorporateLedger();
  /** Oldest first. */
  #historyDates: string[] = [];
  /** Listeners and bar hooks, in subscription order. */
  readonly #subscribers = new Subscribers();
  #rejections = new Rejections();
  #shared: SharedSessionWriter | undefined;

  constructor(options: SessionDataOptions = {}) {
    const history = options.historySessions ?? 5;
    if (!Number.isInteger(history) || history < 0) {
      throw new InvalidArgumentError(`historySessions must be an integer >= 0, got ${history}`);
    }
    this.calendar = options.calendar ?? xnysCalendar;
    this.historySessions = history;
    this.#ctx = new SessionContext(this.calendar);
  }

  /** The current session date (`YYYY-MM-DD`), `undefined` before any bar. */
  get currentSession(): string | undefined {
    return this.#ctx.date;
  }

  /**
   * The session clock, epoch ms: the end of the latest bar seen this session
   * (`max(bar.time + 60_000)`), raised further by {@link advanceClock}; `NaN` before any.
   * Metrics count the bars expected so far up to it.
   */
  get clock(): number {
    return this.#ctx.clock;
  }

  /** Raises the clock to `now` (never lowers it), so "expected so far" counts minutes before `now`. */
  advanceClock(now: number): void {
    // An infinite clock would outlive every roll and count every later session as complete.
    if (typeof now !== "number" || !Number.isFinite(now)) {
      throw new InvalidArgumentError(`clock time must be a finite number, got ${String(now)}`);
    }
    const ctx = this.#ctx;
    if (!(now <= ctx.clock)) ctx.clock = now;
  }

  /**
   * Starts session `date`, rolling the current one into history. The same date is a no-op; an
   * earlier date, or a date without a session, throws {@link SessionMismatchError}.
   */
  startSession(date: string): void {
    const current = this.#ctx.date;
    if (date === current) return;
    let why: string | undefined;
    if (this.calendar.session(date) === undefined)
      why = `${date} is not a session of ${this.calendar.name}`;
    else if (current !== undefined && date < current)
      why = `${date} is before the current session ${current}`;
    if (why !== undefined) {
      const error = new SessionMismatchError("*", Number.NaN, date, current, why);
      error.message = `cannot start session ${date}: ${why}`;
      throw error;
    }
    const previous = this.#begin(date);
    if (this.#subscribers.list.length > 0) {
      this.#emit({ type: "sessionStart", sessionDate: date, previousSessionDate: previous });
    }
  }

  /** Makes `date` the current session; returns the previous one. Emits nothing (callers do). */
  #begin(date: string): string | undefined {
    const session = this.calendar.session(date)!;
    const ctx = this.#ctx;
    const previous = ctx.date;
    if (previous !== undefined) {
      const keep = this.historySessions > 0;
      const expected = this.calendar.expectedBarCount(previous);
      for (const sym of this.#symbols.values()) sym[ROLL](expected, keep);
      if (keep) this.#historyDates.push(previous);
      while (this.#historyDates.length > this.historySessions) this.#historyDates.shift();
      const oldest = this.#historyDates[0];
      for (const [name, sym] of this.#symbols) {
        if (!sym[DROP_HISTORY_BEFORE](oldest)) {
          sym[DETACH]();
          this.#symbols.delete(name);
        }
      }
    }
    // The clock survives only if it was already advanced into the new session.
    if (!(ctx.clock >= session.preOpen)) ctx.clock = Number.NaN;
    ctx.date = date;
    ctx.open = session.open;
    ctx.close = session.close;
    ctx.preOpen = session.preOpen;
    ctx.postClose = session.postClose;
    ctx.breakStart = session.breakStart ?? Number.POSITIVE_INFINITY;
    ctx.breakEnd = session.breakEnd ?? Number.POSITIVE_INFINITY;
    return previous;
  }

  /**
   * Stores one 1-minute bar. Throws {@link InvalidBarError} for a bad bar and
   * {@link SessionMismatchError} for a bar in no session or in one before the current; then the
   * store is unchanged and the refusal is counted ({@link rejectedCount}). A bar of a later
   * session starts that session. A late bar is inserted in order; a bar at a time already held
   * replaces it. An append costs O(1); a late or replacing regular-session bar refolds the
   * session's metrics (O(bars in the session), so sums stay bit-identical to in-order arrival)
   * and rebuilds only the bucket it falls in at each higher timeframe.
   *
   * `provenance` says where the bar came from (`"live"` by default; the replay passes
   * `"replay"`, upkeep's repair `"refilled"`, a feed `"corrected"` for a provider's correction):
   * it is kept with the bar ({@link getProvenance}), counted in the metrics and passed to
   * listeners. A value that names no provenance is refused like a bad bar, with an
   * `InvalidArgumentError`.
   */
  addBar(symbol: string, bar: Bar, provenance: Provenance = "live"): void {
    if (typeof symbol !== "string" || symbol.length === 0) {
      this.#refuse(
        symbol,
        bar,
        new InvalidBarError(String(symbol), bar, "symbol", "must be a non-empty string"),
      );
    }
    if (!isValidBar(bar)) {
      // The slow path names the broken rule (and, should the two ever disagree, lets it pass).
      const problem = barProblem(bar);
      if (problem !== undefined) {
        this.#refuse(symbol, bar, new InvalidBarError(symbol, bar, problem.field, problem.reason));
      }
    }
    const code = provenance === "live" ? 1 : provenanceCode(provenance);
    if (code === 0) {
      this.#refuse(
        symbol,
        bar,
        new InvalidArgumentError(
          `addBar(${JSON.stringify(symbol)}): provenance must be one of live, replay, refilled, corrected, got ${JSON.stringify(provenance)}`,
        ),
      );
    }
    this.#store(
      symbol,
      bar.time,
      bar.open,
      bar.high,
      bar.low,
      bar.close,
      bar.volume,
      code,
      provenance,
    );
  }

  /**
   * {@link addBar} of a bar given as numbers: the same checks, refusals, events and result,
   * without a bar object (a refused bar is made one only for its error). For writers that hold
   * bars in columns, as the backtest replay does (it reads them from the scan's typed arrays).
   */
  addBarValues(
    symbol: string,
    time: number,
    open: number,
    high: number,
    low: number,
    close: number,
    volume: number,
    provenance: Provenance = "live",
  ): void {
    const code = provenance === "live" ? 1 : provenanceCode(provenance);
    if (
      typeof symbol !== "string" ||
      symbol.length === 0 ||
      code === 0 ||
      !isValidBarValues(time, open, high, low, close, volume)
    ) {
      // The slow path names the broken rule, exactly as addBar does.
      this.addBar(symbol, { time, open, high, low, close, volume }, provenance);
      return;
    }
    this.#store(symbol, time, open, high, low, close, volume, code, provenance);
  }

  /** Stores a bar whose fields and provenance passed validation: the session check, then the write. */
  #store(
    symbol: string,
    t: number,
    open: number,
    high: number,
    low: number,
    close: number,
    volume: number,
    code: number,
    provenance: Provenance,
  ): void {
    const ctx = this.#ctx;
    let started = false;
    let previous: string | undefined;
    // The common case (a bar of the current session) needs no calendar call.
    if (!(t >= ctx.preOpen && t < ctx.postClose)) {
      const date = this.calendar.sessionDateOf(t);
      if (date === undefined || (ctx.date !== undefined && date < ctx.date)) {
        this.#refuse(
          symbol,
          { time: t, open, high, low, close, volume },
          new SessionMismatchError(symbol, t, date, ctx.date),
        );
      }
      if (date !== ctx.date) {
        previous = this.#begin(date!);
        started = true;
      }
    }
    const sym = this.#symbols.get(symbol) ?? this.#addSymbol(symbol);
    // Once per bar, for the write (metrics, derived timeframes) and the hooks alike.
    // A bar in the session's break is stored but, like an extended-hours bar, kept out of the
    // metrics and the higher timeframes.
    const regular = ctx.isRegular(t);
    const arrival = sym[WRITE](t, open, high, low, close, volume, regular, code);
    const end = t + MINUTE_MS;
    if (!(end <= ctx.clock)) ctx.clock = end;
    if (this.#subscribers.list.length > 0) {
      // Events go out only now, with the bar stored: a listener sees the new session with its
      // first bar, and whatever it does (even clear()) cannot interrupt a half-done write.
      const sessionDate = ctx.date!;
      if (started) this.#emit({ type: "sessionStart", sessionDate, previousSessionDate: previous });
      this.#subscribers.emitBar(
        sym,
        t,
        open,
        high,
        low,
        close,
        volume,
        arrival,
        sessionDate,
        regular,
        provenance,
      );
    }
  }

  /** A new symbol's handle, registered (its first bar or repair count makes it). */
  #addSymbol(symbol: string): SymbolSessionData {
    const sym = new SymbolSessionData(symbol, this.#ctx);
    this.#symbols.set(symbol, sym);
    return sym;
  }

  #refuse(symbol: string, bar: unknown, error: Error): never {
    const time = (bar as { time?: unknown } | null | undefined)?.time;
    this.#rejections.record(symbol, time, error);
    if (this.#subscribers.list.length > 0) this.#emit({ type: "rejected", symbol, time, error });
    throw error;
  }

  /**
   * Stores bars one by one like {@link addBar} (each with `provenance`, `"live"` by default),
   * collecting refusals instead of throwing.
   */
  addBars(symbol: string, bars: readonly Bar[], provenance: Provenance = "live"): AddBarsResult {
    let accepted = 0;
    const errors: { index: number; error: Error }[] = [];
    for (let i = 0; i < bars.length; i++) {
      try {
        this.addBar(symbol, bars[i]!, provenance);
        accepted++;
      } catch (error) {
        if (!(error instanceof Error)) throw error;
        errors.push({ index: i, error });
      }
    }
    return { accepted, rejected: errors.length, errors };
  }

  /** Bars refused since construction or the last {@link clear}. */
  get rejectedCount(): number {
    return this.#rejections.count;
  }

  /** The most recent refusals (at most 100), oldest first. */
  recentRejections(): Rejection[] {
    return this.#rejections.recent();
  }

  /** Refusals counted by reason (`InvalidBarError:high`, `SessionMismatchError:earlier session`, …). */
  rejectionReasons(): Record<string, number> {
    return this.#rejections.reasons();
  }

  /** The per-symbol handle for hot loops, `undefined` for a symbol the store does not hold. */
  getSymbol(symbol: string): SymbolSessionData | undefined {
    return this.#symbols.get(symbol);
  }

  /**
   * Where the bar of `symbol` at `time` in the current session came from, `undefined` when the
   * session holds no bar of `symbol` at `time`.
   */
  getProvenance(symbol: string, time: number): Provenance | undefined {
    return this.#symbols.get(symbol)?.getProvenance(time);
  }

  /** The latest bar of `symbol` in the current session. */
  getLatestBar(symbol: string, tf: Timeframe = "1m"): Bar | undefined {
    const sym = this.#symbols.get(symbol);
    if (sym === undefined) return checkTimeframe(tf);
    return sym.getLatestBar(tf);
  }

  /** The last `n` bars of `symbol`, oldest first. */
  getLastNBars(symbol: string, n: number, tf: Timeframe = "1m"): Bar[] {
    const sym = this.#symbols.get(symbol);
    if (sym === undefined) return checkTimeframe(tf) ?? [];
    return sym.getLastNBars(n, tf);
  }

  /**
   * Copies the last `n` bars of `symbol` (fewer when it has fewer; 0 for an unknown symbol) into
   * the caller's `into`, oldest first, and returns how many: {@link getLastNBars} without an
   * object per bar, for hot loops. `into.length` is set to the count.
   *
   * @example
   * ```ts
   * const buf = new BarBuffer(20);
   * const n = sd.readLastN("AAPL", 20, buf);
   * const latestClose = n > 0 ? buf.close[n - 1] : undefined;
   * ```
   */
  readLastN(symbol: string, n: number, into: BarBuffer, tf: Timeframe = "1m"): number {
    const sym = this.#symbols.get(symbol);
    if (sym !== undefined) return sym.readLastN(n, into, tf);
    checkTimeframe(tf);
    checkBufferCount(n, into);
    into.length = 0;
    return 0;
  }

  /**
   * Points `view` at the last `n` bars of `symbol` (fewer when it has fewer; 0 for an unknown
   * symbol) without copying and returns how many: the cheapest last-N read, valid until the next
   * write to that symbol. {@link readLastN} copies instead.
   */
  viewLastN(symbol: string, n: number, view: BarView, tf: Timeframe = "1m"): number {
    const sym = this.#symbols.get(symbol);
    if (sym !== undefined) return sym.viewLastN(n, view, tf);
    checkTimeframe(tf);
    checkCount(n);
    return view.point(EMPTY_COLUMN, 0, 0, 0);
  }

  /** Bars of `symbol` with `time >= t`, oldest first. */
  getBarsSince(symbol: string, t: number, tf: Timeframe = "1m"): Bar[] {
    const sym = this.#symbols.get(symbol);
    if (sym !== undefined) return sym.getBarsSince(t, tf);
    checkSince(t);
    return checkTimeframe(tf) ?? [];
  }

  /** The number of bars of `symbol` in the current session. */
  getBarCount(symbol: string, tf: Timeframe = "1m"): number {
    const sym = this.#symbols.get(symbol);
    if (sym === undefined) return checkTimeframe(tf) ?? 0;
    return sym.getBarCount(tf);
  }

  /** The latest bar of each symbol; symbols without bars are absent from the map. */
  getLatestBarsMulti(symbols: readonly string[], tf: Timeframe = "1m"): Map<string, Bar> {
    checkTimeframe(tf);
    const out = new Map<string, Bar>();
    for (let i = 0; i < symbols.length; i++) {
      const s = symbols[i]!;
      const bar = this.#symbols.get(s)?.getLatestBar(tf);
      if (bar !== undefined) out.set(s, bar);
    }
    return out;
  }

  /** Metrics of the current session, or of `date` while it is kept in history. */
  getSessionMetrics(symbol: string, date?: string): SessionMetrics | undefined {
    return this.#symbols.get(symbol)?.getSessionMetrics(date);
  }

  /** The last `n` bars of `symbol` in prior sessions kept in history, oldest first. */
  getHistoricalBars(symbol: string, n: number, tf: Timeframe = "1m"): Bar[] {
    const sym = this.#symbols.get(symbol);
    if (sym === undefined) return checkTimeframe(tf) ?? [];
    return sym.getHistoricalBars(n, tf);
  }

  /** Zero-copy column views of `symbol`'s bars (valid until its next write). */
  getSeries(symbol: string, tf: Timeframe = "1m"): BarSeries | undefined {
    const sym = this.#symbols.get(symbol);
    if (sym === undefined) return checkTimeframe(tf);
    return sym.getSeries(tf);
  }

  /** Symbols with bars in the current session, sorted. */
  symbols(): string[] {
    const out: string[] = [];
    for (const [name, sym] of this.#symbols) if (sym.getBarCount() > 0) out.push(name);
    return out.sort();
  }

  /** Dates of the sessions kept in history, oldest first. */
  historySessionDates(): string[] {
    return [...this.#historyDates];
  }

  /** Upkeep's repair counters for `symbol` in the current session, shown in its metrics. */
  setRepairCounts(symbol: string, counts: { filled: number; unfillable: number }): void {
    const { filled, unfillable } = counts;
    if (!(filled >= 0 && unfillable >= 0)) {
      throw new InvalidArgumentError(`repair counts must be >= 0, got ${filled}, ${unfillable}`);
    }
    const sym = this.#symbols.get(symbol) ?? this.#addSymbol(symbol);
    sym[SET_REPAIR](filled, unfillable);
    if (this.#subscribers.list.length > 0) {
      this.#emit({ type: "repairCounts", symbol, filled, unfillable });
    }
  }

  /**
   * Shares the current session's 1-minute bars and metrics with other threads: returns a
   * descriptor (shared buffers, postable to a worker) that `SessionDataReader.attach` reads.
   * The first call starts mirroring every write into shared memory (a bar hook; it costs the
   * writer one extra row write and a metrics copy per bar); later calls return the same
   * descriptor, and their options are ignored.
   *
   * @example
   * ```ts
   * const reader = SessionDataReader.attach(sd.share()); // or in a worker, from workerData
   * reader.getLatestBar("AAPL");
   * ```
   */
  share(options?: ShareOptions): SharedSessionDescriptor {
    this.#shared ??= new SharedSessionWriter(this, options);
    return this.#shared.descriptor;
  }

  /**
   * Listens to the store's events (see `SessionDataEvent`); returns the unsubscribe function.
   * Listeners run synchronously after each change, in subscription order. A listener that
   * throws is reported with `process.emitWarning` (type `SessionDataListenerWarning`, the error's
   * stack in the message); the store, the writer and the other listeners carry on. Without
   * listeners no event object is made.
   */
  subscribe(listener: SessionDataListener): () => void {
    if (typeof listener !== "function") {
      throw new InvalidArgumentError("subscribe expects a function");
    }
    return this.#subscribers.add(listener, undefined);
  }

  /**
   * Subscribes a bar hook: the fast path of {@link subscribe} for code that reacts to every bar
   * (the analysis engine). Each stored bar reaches `hook.onBar` as numbers with the symbol's
   * handle, so no event or bar object is made for it; other events reach `hook.onEvent`. Hooks
   * and listeners run in one subscription order, under the same rules. Returns the unsubscribe
   * function.
   *
   * @example
   * ```ts
   * const off = sd.subscribeBars({
   *   onBar(sym, time, open, high, low, close) { sums.set(sym.symbol, (sums.get(sym.symbol) ?? 0) + close); },
   * });
   * ```
   */
  subscribeBars(hook: SessionDataBarHook): () => void {
    if (hook === null || typeof hook !== "object" || typeof hook.onBar !== "function") {
      throw new InvalidArgumentError("subscribeBars expects an object with an onBar function");
    }
    if (hook.onEvent !== undefined && typeof hook.onEvent !== "function") {
      throw new InvalidArgumentError("subscribeBars: onEvent must be a function when given");
    }
    return this.#subscribers.add(undefined, hook);
  }

  /**
   * Sets `symbol`'s corporate factors for the current session (what a replay scaled its bars
   * by), without an event: the replay does this at its first session, and
   * {@link applyCorporateAction} at each split or dividend after.
   */
  setCorporateFactor(factor: CorporateFactor): void {
    this.#corporate.setFactor(factor);
  }

  /**
   * Records a split or dividend taking effect at the start of session `action.date` and the
   * symbol's factors from then on, then emits a `corporateAction` event (the analysis engine
   * rescales indicator state by `action.rescale`). Call it after `startSession(action.date)`,
   * before the session's bars.
   */
  applyCorporateAction(action: CorporateAction, factor: CorporateFactor): void {
    const recorded = this.#corporate.addAction(action);
    this.#corporate.setFactor(factor);
    if (this.#subscribers.list.length > 0) this.#emit({ type: "corporateAction", ...recorded });
  }

  /** `symbol`'s corporate factors for the current session, if a replay set them. */
  getCorporateFactor(symbol: string): CorporateFactor | undefined {
    return this.#corporate.factor(symbol);
  }

  /** The splits and dividends of `symbol` recorded so far, oldest first. */
  getCorporateActions(symbol: string): readonly CorporateAction[] {
    return this.#corporate.actions(symbol);
  }

  /**
   * The product of the `rescale`s of `symbol`'s actions dated in `(after, upTo]`: 1 for none.
   * What indicator state built on bars up to session `after` is multiplied by to be in the
   * price units of session `upTo`.
   */
  corporateRescale(symbol: string, after: string, upTo: string): number {
    return this.#corporate.rescaleBetween(symbol, after, upTo);
  }

  #emit(event: SessionDataEvent): void {
    this.#subscribers.emit(event);
  }

  /** Empties the store: bars, history, session, clock and refusal counts. Handles go stale. */
  clear(): void {
    for (const sym of this.#symbols.values()) sym[DETACH]();
    this.#symbols.clear();
    this.#historyDates = [];
    this.#rejections = new Rejections();
    this.#corporate.clear();
    const ctx = this.#ctx;
    ctx.date = undefined;
    ctx.open = ctx.preOpen = Number.POSITIVE_INFINITY;
    ctx.close = ctx.postClose = Number.NEGATIVE_INFINITY;
    ctx.breakStart = ctx.breakEnd = Number.POSITIVE_INFINITY;
    ctx.clock = Number.NaN;
    // Every handle is detached: keys start over (hooks hear `clear` and forget theirs).
    ctx.nextKey = 0;
    if (this.#subscribers.list.length > 0) this.#emit({ type: "clear" });
  }
}
