import type { Session, TradingCalendar } from "../calendar/trading-calendar.js";
import { type Bar, MINUTE_MS } from "../domain/bar.js";
import { InvalidArgumentError } from "../domain/errors.js";
import type { BarSource } from "../history/bar-store.js";
import {
  checkRetryPolicy,
  DEFAULT_RETRY,
  type RetryPolicy,
  realSleep,
  type Sleep,
} from "./backoff.js";
import type { UnfillableGap, UpkeepEvent, UpkeepListener, UpkeepReport } from "./events.js";
import { findGaps, type Gap, lowerBound, windowEnd } from "./gap.js";
import { hashedRandom } from "./random.js";
import { mapPool, type RepairOutcome, type RepairRequest, requestWithRetry } from "./repair.js";

/**
 * The part of `SessionData` upkeep uses (the store's class satisfies it): reads of the current
 * session's 1-minute time column, and the one write entry point every producer shares.
 */
export interface UpkeepSessionData {
  readonly calendar: TradingCalendar;
  readonly currentSession: string | undefined;
  getSeries(
    symbol: string,
  ): { readonly length: number; readonly time: ArrayLike<number> } | undefined;
  symbols(): string[];
  addBar(symbol: string, bar: Bar): void;
  setRepairCounts(symbol: string, counts: { filled: number; unfillable: number }): void;
}

/** Options of {@link DataUpkeep}. */
export interface DataUpkeepOptions {
  readonly sessionData: UpkeepSessionData;
  /** Where missing bars are fetched from: a `BarStore`, or anything with `readBars`. */
  readonly source: BarSource;
  /** The calendar that says which minutes are expected; `sessionData.calendar` by default. */
  readonly calendar?: TradingCalendar;
  /** Retry policy; {@link DEFAULT_RETRY} for what is left out. */
  readonly retry?: Partial<RetryPolicy>;
  /** Run period in ms of the driving clock (simulated in a replay, wall in live use); 60,000. */
  readonly interval?: number;
  /**
   * The symbols to watch. By default every symbol the store has held a bar for since this upkeep
   * was made, so a symbol whose bars all went missing in a later session is still noticed.
   */
  readonly symbols?: readonly string[];
  /**
   * The jitter source, called once per retry. By default each draw is keyed by (seed, symbol, gap
   * start, retry number), which keeps it independent of the order in which requests fail.
   */
  readonly random?: () => number;
  /** Seed of the default jitter; 1. */
  readonly seed?: number;
  /**
   * How backoff delays are waited: {@link realSleep} by default; `noWait` in replays and tests,
   * where the delay is only accounted (`report().backoffMs`) and the retry follows at once, so a
   * replay's outcome depends on the data, the options and the seed, never on wall time.
   */
  readonly sleep?: Sleep;
  /** Source requests in flight at once; 4. */
  readonly concurrency?: number;
  /** The wall clock `start()` reads; `Date.now`. */
  readonly clock?: () => number;
  /**
   * `start()` checks minutes whose bar closed at least this long ago (ms; 5,000), so a bar that
   * is merely a few seconds late is not fetched twice.
   */
  readonly settleMs?: number;
}

interface SymbolState {
  /** Minutes seen missing this session (each counted once). */
  detected?: Set<number>;
  /** Minutes given up this session. */
  unfillable?: Set<number>;
  /** Minutes of requests in flight, so one gap is never asked for twice at once. */
  inFlight?: Set<number>;
  filled: number;
  expected: number;
  present: number;
  /** The quality last reported in a `qualityChanged` event (100 until one is). */
  quality: number;
}

const REPORTED_UNFILLABLE = 100;

/**
 * Watches the completeness of every symbol's current session against the calendar, repairs gaps
 * from a source with retries, and keeps `barQuality` and the repair counts in the store's metrics
 * current. Writes go only through `sessionData.addBar`, so metrics and derived timeframes update
 * as if the bars had come in order.
 *
 * Drive it with `runOnce(now)` (a backtest coordinator calls it every `interval` of simulated
 * time and at each session end) or `start()`/`stop()` for a wall-clock timer. `runOnce` never
 * throws for source failures; they end as retries, then as unfillable minutes with a reason.
 *
 * @example
 * ```ts
 * const upkeep = new DataUpkeep({ sessionData: sd, source: barStore, interval: 60_000 });
 * upkeep.subscribe((e) => { if (e.type === "gapFilled") console.log(e.gap); });
 * await upkeep.runOnce(sd.clock);
 * upkeep.checkCompleteness("AAPL", sd.clock); // [] once every gap is filled
 * upkeep.report().finalQuality; // 100
 * ```
 */
export class DataUpkeep {
  /** Run period in ms of the driving clock. */
  readonly interval: number;
  readonly #sd: UpkeepSessionData;
  readonly #source: BarSource;
  readonly #calendar: TradingCalendar;
  readonly #policy: RetryPolicy;
  readonly #fixedSymbols: readonly string[] | undefined;
  readonly #random: (() => number) | undefined;
  readonly #seed: number;
  readonly #sleep: Sleep;
  readonly #concurrency: number;
  readonly #clock: () => number;
  readonly #settleMs: number;
  readonly #listeners = new Set<UpkeepListener>();
  readonly #known = new Set<string>();
  #knownSorted: string[] = [];
  #session: Session | undefined;
  #sessionDate: string | undefined;
  #generation = 0;
  #states = new Map<string, SymbolState>();
  #timer: ReturnType<typeof setInterval> | undefined;
  #running: Promise<void> | undefined;
  readonly #counters = { requests: 0, retries: 0, failedRequests: 0, backoffMs: 0 };
  #runs = 0;
  #runErrors = 0;
  #sessions = 0;
  #gapsDetected = 0;
  #barsMissing = 0;
  #barsFilled = 0;
  #barsUnfillable = 0;
  #barsRejected = 0;
  #listenerErrors = 0;
  #doneExpected = 0;
  #donePresent = 0;
  #doneMinQuality = 100;
  readonly #unfillableGaps: UnfillableGap[] = [];

  constructor(options: DataUpkeepOptions) {
    const interval = options.interval ?? 60_000;
    if (!(interval > 0) || !Number.isFinite(interval)) {
      throw new InvalidArgumentError(`interval must be a positive number of ms, got ${interval}`);
    }
    const concurrency = options.concurrency ?? 4;
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new InvalidArgumentError(`concurrency must be an integer >= 1, got ${concurrency}`);
    }
    this.interval = interval;
    this.#sd = options.sessionData;
    this.#source = options.source;
    this.#calendar = options.calendar ?? options.sessionData.calendar;
    this.#policy = checkRetryPolicy({ ...DEFAULT_RETRY, ...options.retry });
    this.#fixedSymbols = options.symbols === undefined ? undefined : [...options.symbols].sort();
    this.#random = options.random;
    this.#seed = options.seed ?? 1;
    this.#sleep = options.sleep ?? realSleep;
    this.#concurrency = concurrency;
    this.#clock = options.clock ?? Date.now;
    this.#settleMs = options.settleMs ?? 5_000;
  }

  /** The retry policy in force (defaults filled in). */
  get retry(): RetryPolicy {
    return this.#policy;
  }

  /** Listens to {@link UpkeepEvent}s; returns the function that stops listening. */
  subscribe(listener: UpkeepListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * The missing minutes of `symbol` in the current session from its open up to `now` (minutes
   * whose bar opens before `now` and before the close), grouped into gaps in time order, the
   * ones already given up included. Empty before any session and before the open.
   */
  checkCompleteness(symbol: string, now: number): Gap[] {
    this.#syncSession();
    const s = this.#session;
    if (s === undefined) return [];
    return this.#gapsOf(symbol, s.open, windowEnd(s.open, s.close, now));
  }

  /** {@link checkCompleteness} of every watched symbol, symbols in sorted order. */
  checkAll(now: number): Gap[] {
    this.#syncSession();
    const s = this.#session;
    const out: Gap[] = [];
    if (s === undefined) return out;
    const end = windowEnd(s.open, s.close, now);
    for (const symbol of this.#watched()) {
      const gaps = this.#gapsOf(symbol, s.open, end);
      for (let i = 0; i < gaps.length; i++) out.push(gaps[i]!);
    }
    return out;
  }

  #gapsOf(symbol: string, open: number, end: number): Gap[] {
    const series = this.#sd.getSeries(symbol);
    if (series === undefined) {
      return end > open ? [{ symbol, start: open, end, count: (end - open) / MINUTE_MS }] : [];
    }
    return findGaps(symbol, series.time, open, end, series.length);
  }

  /**
   * One round: checks every watched symbol up to `now`, reports new gaps, fetches the missing
   * minutes (retrying failures; never two requests for one minute at once), writes what the
   * source has through `sessionData.addBar`, gives up the rest with a reason, updates the repair
   * counts and reports quality changes. Resolves when every request of the round has ended.
   */
  async runOnce(now: number): Promise<void> {
    this.#syncSession();
    const s = this.#session;
    const date = this.#sessionDate;
    if (s === undefined || date === undefined) {
      this.#runs++;
      return;
    }
    const end = windowEnd(s.open, s.close, now);
    const requests: RepairRequest[] = [];
    const symbols = this.#watched();
    for (const symbol of symbols) {
      const state = this.#state(symbol);
      const gaps = this.#measure(symbol, state, s.open, end);
      for (const gap of gaps) {
        this.#detect(gap, state, date);
        this.#plan(gap, state, requests);
      }
    }
    const generation = this.#generation;
    const outcomes = await mapPool(requests, this.#concurrency, (r) =>
      requestWithRetry(r, {
        source: this.#source,
        policy: this.#policy,
        sleep: this.#sleep,
        jitter: this.#jitter,
        counters: this.#counters,
      }),
    );
    const touched = new Set<string>();
    for (let i = 0; i < requests.length; i++) {
      if (generation !== this.#generation) {
        // The session moved on while the requests were out: the bars can no longer be stored.
        const o = outcomes[i]!;
        if (o.ok) this.#barsRejected += o.bars.length;
        continue;
      }
      this.#commit(requests[i]!, outcomes[i]!, date);
      touched.add(requests[i]!.symbol);
    }
    if (generation === this.#generation) {
      for (const symbol of symbols) {
        const state = this.#state(symbol);
        if (touched.has(symbol)) {
          this.#measure(symbol, state, s.open, end);
          this.#sd.setRepairCounts(symbol, {
            filled: state.filled,
            unfillable: state.unfillable?.size ?? 0,
          });
        }
        const quality = qualityOf(state.present, state.expected);
        if (quality !== state.quality) {
          const previous = state.quality;
          state.quality = quality;
          this.#emit({
            type: "qualityChanged",
            symbol,
            sessionDate: date,
            quality,
            previous,
            expected: state.expected,
            present: state.present,
          });
        }
      }
    }
    this.#runs++;
  }

  /**
   * Runs {@link runOnce} every `interval` ms of wall time, on minutes that closed at least
   * `settleMs` ago. A round still going when the timer fires is not overlapped. The timer is
   * unref'd: it never keeps the process alive by itself.
   */
  start(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => this.#tick(), this.interval);
    this.#timer.unref?.();
  }

  /** Stops the timer; resolves when a round in progress has ended. */
  async stop(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }

  /** Whether the timer of {@link start} is running. */
  get running(): boolean {
    return this.#timer !== undefined;
  }

  /** What upkeep did so far; see {@link UpkeepReport}. */
  report(): UpkeepReport {
    let expected = this.#doneExpected;
    let present = this.#donePresent;
    let minQuality = this.#doneMinQuality;
    for (const state of this.#states.values()) {
      expected += state.expected;
      present += state.present;
      minQuality = Math.min(minQuality, qualityOf(state.present, state.expected));
    }
    return {
      runs: this.#runs,
      runErrors: this.#runErrors,
      sessions: this.#sessions,
      gapsDetected: this.#gapsDetected,
      barsMissing: this.#barsMissing,
      barsFilled: this.#barsFilled,
      barsUnfillable: this.#barsUnfillable,
      ...this.#counters,
      barsRejected: this.#barsRejected,
      listenerErrors: this.#listenerErrors,
      finalQuality: qualityOf(present, expected),
      minQuality,
      expectedBars: expected,
      presentBars: present,
      unfillableGaps: this.#unfillableGaps.slice(),
    };
  }

  #tick(): void {
    if (this.#running !== undefined) return;
    const now = Math.floor((this.#clock() - this.#settleMs) / MINUTE_MS) * MINUTE_MS;
    this.#running = this.runOnce(now)
      .catch(() => {
        // A bug rather than a source failure (those never reach here); a timer has nobody to
        // throw to, so it is counted in report().runErrors instead of crashing a live process.
        this.#runErrors++;
      })
      .finally(() => {
        this.#running = undefined;
      });
  }

  readonly #jitter = (request: RepairRequest, retry: number): number =>
    this.#random !== undefined
      ? this.#random()
      : hashedRandom(this.#seed, request.symbol, request.start, request.end, retry);

  /** Follows the store's current session; a new one starts with fresh per-symbol state. */
  #syncSession(): void {
    const current = this.#sd.currentSession;
    if (current === this.#sessionDate) return;
    for (const state of this.#states.values()) {
      this.#doneExpected += state.expected;
      this.#donePresent += state.present;
      this.#doneMinQuality = Math.min(
        this.#doneMinQuality,
        qualityOf(state.present, state.expected),
      );
    }
    this.#states = new Map();
    this.#generation++;
    this.#sessionDate = current;
    this.#session = current === undefined ? undefined : this.#calendar.session(current);
    if (current !== undefined) this.#sessions++;
  }

  #watched(): readonly string[] {
    if (this.#fixedSymbols !== undefined) return this.#fixedSymbols;
    let added = false;
    for (const symbol of this.#sd.symbols()) {
      if (!this.#known.has(symbol)) {
        this.#known.add(symbol);
        added = true;
      }
    }
    if (added) this.#knownSorted = [...this.#known].sort();
    return this.#knownSorted;
  }

  #state(symbol: string): SymbolState {
    let state = this.#states.get(symbol);
    if (state === undefined) {
      state = { filled: 0, expected: 0, present: 0, quality: 100 };
      this.#states.set(symbol, state);
    }
    return state;
  }

  /** Gaps of `[open, end)`, recording expected and present counts on the state. */
  #measure(symbol: string, state: SymbolState, open: number, end: number): Gap[] {
    const expected = (end - open) / MINUTE_MS;
    const series = this.#sd.getSeries(symbol);
    state.expected = expected;
    if (series === undefined) {
      state.present = 0;
      return expected > 0 ? [{ symbol, start: open, end, count: expected }] : [];
    }
    const lo = lowerBound(series.time, open, 0, series.length);
    const hi = lowerBound(series.time, end, lo, series.length);
    state.present = hi - lo;
    return state.present === expected
      ? []
      : findGaps(symbol, series.time, open, end, series.length);
  }

  #detect(gap: Gap, state: SymbolState, date: string): void {
    const detected = (state.detected ??= new Set());
    let fresh = 0;
    for (let t = gap.start; t < gap.end; t += MINUTE_MS) {
      if (!detected.has(t)) {
        detected.add(t);
        fresh++;
      }
    }
    if (fresh === 0) return;
    this.#gapsDetected++;
    this.#barsMissing += fresh;
    this.#emit({ type: "gapDetected", gap, sessionDate: date });
  }

  /** Splits a gap into requests for the minutes neither given up nor already asked for. */
  #plan(gap: Gap, state: SymbolState, out: RepairRequest[]): void {
    const inFlight = (state.inFlight ??= new Set());
    const unfillable = state.unfillable;
    let runStart = Number.NaN;
    for (let t = gap.start; t <= gap.end; t += MINUTE_MS) {
      const wanted = t < gap.end && !inFlight.has(t) && unfillable?.has(t) !== true;
      if (wanted && Number.isNaN(runStart)) runStart = t;
      if (!wanted && !Number.isNaN(runStart)) {
        out.push({ symbol: gap.symbol, start: runStart, end: t });
        for (let m = runStart; m < t; m += MINUTE_MS) inFlight.add(m);
        runStart = Number.NaN;
      }
    }
  }

  /** Writes what a request brought, in time order, and gives up what it could not bring. */
  #commit(request: RepairRequest, outcome: RepairOutcome, date: string): void {
    const { symbol, start, end } = request;
    const state = this.#state(symbol);
    for (let t = start; t < end; t += MINUTE_MS) state.inFlight?.delete(t);
    const byTime = new Map<number, Bar>();
    if (outcome.ok) {
      for (const bar of outcome.bars) {
        if (bar !== null && typeof bar === "object" && bar.time >= start && bar.time < end) {
          byTime.set(bar.time, bar);
        }
      }
    }
    // Consecutive minutes with one fate become one event: [runStart, t) filled or given up.
    let runStart = start;
    let runReason: string | undefined;
    let runFilled = false;
    let inRun = false;
    const flush = (t: number): void => {
      if (!inRun) return;
      inRun = false;
      const gap: Gap = { symbol, start: runStart, end: t, count: (t - runStart) / MINUTE_MS };
      if (runFilled) {
        this.#emit({ type: "gapFilled", gap, sessionDate: date, attempts: outcome.attempts });
        return;
      }
      const reason = runReason ?? "";
      if (this.#unfillableGaps.length < REPORTED_UNFILLABLE) {
        this.#unfillableGaps.push({ ...gap, sessionDate: date, reason });
      }
      this.#emit({
        type: "gapUnfillable",
        gap,
        sessionDate: date,
        reason,
        attempts: outcome.attempts,
      });
    };
    for (let t = start; t < end; t += MINUTE_MS) {
      if (this.#isPresent(symbol, t)) {
        // The feed delivered it meanwhile: the store's bar stands.
        flush(t);
        continue;
      }
      let reason: string | undefined;
      if (!outcome.ok) {
        reason = outcome.reason;
      } else {
        const bar = byTime.get(t);
        if (bar === undefined) {
          reason = "the source has no bar for this minute";
        } else {
          try {
            this.#sd.addBar(symbol, bar);
            state.filled++;
            this.#barsFilled++;
          } catch (error) {
            this.#barsRejected++;
            reason = `the store refused the source's bar: ${error instanceof Error ? error.message : String(error)}`;
          }
        }
      }
      const filled = reason === undefined;
      if (inRun && (filled !== runFilled || reason !== runReason)) flush(t);
      if (!inRun) {
        inRun = true;
        runStart = t;
        runFilled = filled;
        runReason = reason;
      }
      if (!filled) {
        (state.unfillable ??= new Set()).add(t);
        this.#barsUnfillable++;
      }
    }
    flush(end);
  }

  #isPresent(symbol: string, t: number): boolean {
    const series = this.#sd.getSeries(symbol);
    if (series === undefined) return false;
    const i = lowerBound(series.time, t, 0, series.length);
    return i < series.length && series.time[i] === t;
  }

  #emit(event: UpkeepEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch {
        this.#listenerErrors++;
      }
    }
  }
}

function qualityOf(present: number, expected: number): number {
  return expected === 0 ? 100 : (present / expected) * 100;
}
