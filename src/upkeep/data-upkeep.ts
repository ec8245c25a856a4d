import type { Session, TradingCalendar } from "../calendar/trading-calendar.js";
import { MINUTE_MS } from "../domain/bar.js";
import { InvalidArgumentError } from "../domain/errors.js";
import { systemClock, type WallClock } from "../domain/wall-clock.js";
import type { BarSource } from "../history/bar-store.js";
import {
  checkRetryPolicy,
  DEFAULT_RETRY,
  type RetryPolicy,
  realSleep,
  type Sleep,
} from "./backoff.js";
import type { UnfillableGap, UpkeepEvent, UpkeepListener, UpkeepReport } from "./events.js";
import { expectedWindows, minutesIn, presentIn, type StoredRange } from "./expected-minutes.js";
import { findGapsIn, type Gap } from "./gap.js";
import { hashedRandom } from "./random.js";
import { mapPool, type RepairRequest, requestWithRetry } from "./repair.js";
import { StoredRanges } from "./stored-ranges.js";
import {
  type CommitContext,
  commitRepair,
  markDetected,
  newSymbolState,
  planRequests,
  qualityOf,
  type SymbolState,
  stateOf,
} from "./symbol-ledger.js";
import type { DataUpkeepOptions, UpkeepSessionData } from "./upkeep-options.js";

/** How many unfillable gaps `report()` lists. */
const REPORTED_UNFILLABLE = 100;

/** Where a bare completeness check lets `#measure` write counts nobody reads. */
const SCRATCH: SymbolState = newSymbolState();

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
  #fixedSymbols: readonly string[] | undefined;
  readonly #symbolsGiven: boolean;
  readonly #random: (() => number) | undefined;
  readonly #seed: number;
  readonly #sleep: Sleep;
  readonly #concurrency: number;
  readonly #clock: () => number;
  readonly #wall: WallClock;
  readonly #settleMs: number;
  readonly #ranges = new StoredRanges();
  readonly #listeners = new Set<UpkeepListener>();
  readonly #known = new Set<string>();
  #knownSorted: string[] = [];
  #session: Session | undefined;
  #sessionDate: string | undefined;
  #generation = 0;
  #states = new Map<string, SymbolState>();
  #cancelTimer: (() => void) | undefined;
  #running: Promise<void> | undefined;
  readonly #counters = { requests: 0, retries: 0, failedRequests: 0, backoffMs: 0 };
  #runs = 0;
  #runErrors = 0;
  #sessions = 0;
  #missingSessions = 0;
  #gapsDetected = 0;
  #barsMissing = 0;
  #listenerErrors = 0;
  #doneExpected = 0;
  #donePresent = 0;
  #doneMinQuality = 100;
  readonly #tally = { barsFilled: 0, barsUnfillable: 0, barsRejected: 0 };
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
    this.#symbolsGiven = options.symbols !== undefined;
    this.#random = options.random;
    this.#seed = options.seed ?? 1;
    this.#sleep = options.sleep ?? realSleep;
    this.#concurrency = concurrency;
    this.#wall = options.wallClock ?? systemClock;
    const wall = this.#wall;
    this.#clock = options.clock ?? (() => wall.now());
    this.#settleMs = options.settleMs ?? 5_000;
    if (options.ranges !== undefined) this.setStoredRanges(options.ranges);
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
    if (this.#session === undefined) return [];
    return this.#measure(symbol, SCRATCH, now);
  }

  /** {@link checkCompleteness} of every watched symbol, symbols in sorted order. */
  checkAll(now: number): Gap[] {
    this.#syncSession();
    const out: Gap[] = [];
    if (this.#session === undefined) return out;
    for (const symbol of this.#active()) {
      const gaps = this.#measure(symbol, SCRATCH, now);
      for (let i = 0; i < gaps.length; i++) out.push(gaps[i]!);
    }
    return out;
  }

  /**
   * Whether the store's metrics prove `[open, end)` complete: its regular bars are distinct whole
   * minutes of `[open, close)`, so when there are as many as expected and the latest is before
   * `end`, every expected minute is present. O(1) and allocation-light, unlike a column read;
   * used only when upkeep and the store share a calendar (the metrics follow the store's).
   */
  #provenComplete(symbol: string, expected: number, end: number): boolean {
    if (this.#calendar !== this.#sd.calendar) return false;
    const m = this.#sd.getSessionMetrics(symbol);
    return m !== undefined && m.barCount === expected && (expected === 0 || m.lastBarTime < end);
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
    const requests: RepairRequest[] = [];
    const symbols = this.#active();
    for (const symbol of symbols) {
      const state = stateOf(this.#states, symbol);
      for (const gap of this.#measure(symbol, state, now)) {
        this.#detect(gap, state, date);
        planRequests(state, gap, requests);
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
        if (o.ok) this.#tally.barsRejected += o.bars.length;
        continue;
      }
      const request = requests[i]!;
      commitRepair(
        this.#commitContext(date),
        stateOf(this.#states, request.symbol),
        request,
        outcomes[i]!,
      );
      touched.add(requests[i]!.symbol);
    }
    if (generation === this.#generation) {
      for (const symbol of symbols) {
        const state = stateOf(this.#states, symbol);
        if (touched.has(symbol)) {
          this.#measure(symbol, state, now);
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
    if (this.#cancelTimer !== undefined) return;
    // A chain of one-shot timers, each armed for the next multiple of `interval` after start
    // (an interval timer on any clock; a late tick skips the slots it missed, never bunches).
    const begun = this.#wall.now();
    const arm = (): void => {
      const now = this.#wall.now();
      const due = begun + (Math.floor((now - begun) / this.interval) + 1) * this.interval - now;
      this.#cancelTimer = this.#wall.schedule(
        () => {
          this.#tick();
          if (this.#cancelTimer !== undefined) arm();
        },
        due,
        { unref: true },
      );
    };
    arm();
  }

  /** Stops the timer; resolves when a round in progress has ended. */
  async stop(): Promise<void> {
    this.#cancelTimer?.();
    this.#cancelTimer = undefined;
    await this.#running;
  }

  /** Whether the timer of {@link start} is running. */
  get running(): boolean {
    return this.#cancelTimer !== undefined;
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
      missingSessions: this.#missingSessions,
      gapsDetected: this.#gapsDetected,
      barsMissing: this.#barsMissing,
      barsFilled: this.#tally.barsFilled,
      barsUnfillable: this.#tally.barsUnfillable,
      ...this.#counters,
      barsRejected: this.#tally.barsRejected,
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

  #active(): readonly string[] {
    return this.#ranges.active(this.#watched(), this.#session);
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

  /**
   * Gaps among the current session's expected minutes up to `now` (`expectedWindows`: regular
   * hours less the break, within the symbol's stored range when `ranges` gives one), recording
   * expected and present counts on the state. The same definition `assessQuality` uses.
   */
  #measure(symbol: string, state: SymbolState, now: number): Gap[] {
    const windows = expectedWindows(this.#session!, this.#ranges.get(symbol), now);
    const expected = minutesIn(windows);
    const end = windows.length === 0 ? Number.NEGATIVE_INFINITY : windows[windows.length - 1]![1];
    state.expected = expected;
    if (this.#provenComplete(symbol, expected, end)) {
      state.present = expected;
      return [];
    }
    const series = this.#sd.getSeries(symbol);
    if (series === undefined) {
      state.present = 0;
      return windows
        .filter(([from, to]) => to > from)
        .map(([from, to]) => ({ symbol, start: from, end: to, count: (to - from) / MINUTE_MS }));
    }
    const present = presentIn(series.time, windows, series.length);
    state.present = present;
    return present === expected ? [] : findGapsIn(symbol, series.time, windows, series.length);
  }

  /**
   * The expected and present minutes of `symbol` in the current session at the last
   * {@link runOnce}, or `undefined` when that pass did not measure it.
   */
  sessionQuality(symbol: string): { expected: number; present: number } | undefined {
    const state = this.#states.get(symbol);
    return state === undefined ? undefined : { expected: state.expected, present: state.present };
  }

  /**
   * Sets each symbol's stored range (see the `ranges` option); a backtest gives its symbols'
   * coverage before its first session. Unless `symbols` was given, upkeep then watches exactly
   * these symbols (and any it watched before) from the start: a replay writes no other, and a
   * session inside a symbol's range that lacks it counts against it even before the store has
   * seen it. The store's symbol list is then no longer read on every pass.
   */
  setStoredRanges(ranges: ReadonlyMap<string, StoredRange>): void {
    this.#ranges.set(ranges);
    if (this.#symbolsGiven) return;
    for (const symbol of this.#watched()) this.#known.add(symbol);
    for (const symbol of ranges.keys()) this.#known.add(symbol);
    this.#knownSorted = [...this.#known].sort();
    this.#fixedSymbols = this.#knownSorted;
  }

  /**
   * Counts a session the replay passed over because no watched symbol had a bar in it: each
   * watched symbol whose stored range covers it misses all of its expected minutes (a "missing
   * session", as `assessQuality` counts it), so the report's quality matches `sessiondata quality`.
   * Nothing is requested: the replay's own store, the source, has nothing there either.
   */
  countMissingSession(date: string): void {
    const session = this.#calendar.session(date);
    if (session === undefined) return;
    let counted = false;
    for (const symbol of this.#watched()) {
      const range = this.#ranges.get(symbol);
      const expected = minutesIn(expectedWindows(session, range));
      if (expected === 0) continue;
      counted = true;
      this.#doneExpected += expected;
      this.#doneMinQuality = 0;
      this.#missingSessions++;
      this.#barsMissing += expected;
    }
    if (counted) this.#sessions++;
  }

  #detect(gap: Gap, state: SymbolState, date: string): void {
    const fresh = markDetected(state, gap);
    if (fresh === 0) return;
    this.#gapsDetected++;
    this.#barsMissing += fresh;
    this.#emit({ type: "gapDetected", gap, sessionDate: date });
  }

  #commitContext(date: string): CommitContext {
    return {
      sessionData: this.#sd,
      sessionDate: date,
      tally: this.#tally,
      emit: (event) => this.#emit(event),
      giveUp: (gap) => {
        if (this.#unfillableGaps.length < REPORTED_UNFILLABLE) this.#unfillableGaps.push(gap);
      },
    };
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
