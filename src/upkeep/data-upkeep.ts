import type { Session, TradingCalendar } from "../calendar/trading-calendar.js";
import { InvalidArgumentError } from "../domain/errors.js";
import { systemClock } from "../domain/wall-clock.js";
import type { BarSource } from "../history/bar-store.js";
import {
  checkRetryPolicy,
  DEFAULT_RETRY,
  type RetryPolicy,
  realSleep,
  type Sleep,
} from "./backoff.js";
import type { UpkeepEvent, UpkeepListener, UpkeepReport } from "./events.js";
import {
  expectedWindows,
  minutesIn,
  presentIn,
  qualityPercent,
  type StoredRange,
} from "./expected-minutes.js";
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
  type SymbolState,
  stateOf,
} from "./symbol-ledger.js";
import type { DataUpkeepOptions, UpkeepSessionData } from "./upkeep-options.js";
import { UpkeepTimer } from "./upkeep-timer.js";
import { UpkeepTotals } from "./upkeep-totals.js";
import { WatchedSymbols } from "./watched-symbols.js";

/** The time column of a symbol the store has no bar of. */
const NO_TIMES = new Float64Array(0);

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
  readonly #watchedSymbols: WatchedSymbols;
  readonly #random: (() => number) | undefined;
  readonly #seed: number;
  readonly #sleep: Sleep;
  readonly #concurrency: number;
  readonly #timer: UpkeepTimer;
  readonly #ranges = new StoredRanges();
  readonly #listeners = new Set<UpkeepListener>();
  #session: Session | undefined;
  #sessionDate: string | undefined;
  #generation = 0;
  #states = new Map<string, SymbolState>();
  readonly #totals = new UpkeepTotals();

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
    this.#watchedSymbols = new WatchedSymbols(options.symbols);
    this.#random = options.random;
    this.#seed = options.seed ?? 1;
    this.#sleep = options.sleep ?? realSleep;
    this.#concurrency = concurrency;
    const wall = options.wallClock ?? systemClock;
    this.#timer = new UpkeepTimer({
      wall,
      interval,
      clock: options.clock ?? (() => wall.now()),
      settleMs: options.settleMs ?? 5_000,
      round: (now) => this.runOnce(now),
      onError: () => {
        this.#totals.runErrors++;
      },
    });
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
      this.#totals.runs++;
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
        counters: this.#totals.counters,
      }),
    );
    const touched = new Set<string>();
    for (let i = 0; i < requests.length; i++) {
      if (generation !== this.#generation) {
        // The session moved on while the requests were out: the bars can no longer be stored.
        const o = outcomes[i]!;
        if (o.ok) this.#totals.tally.barsRejected += o.bars.length;
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
        const quality = qualityPercent(state.present, state.expected);
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
    this.#totals.runs++;
  }

  /**
   * Runs {@link runOnce} every `interval` ms of wall time, on minutes that closed at least
   * `settleMs` ago. A round still going when the timer fires is not overlapped. The timer is
   * unref'd: it never keeps the process alive by itself.
   */
  start(): void {
    this.#timer.start();
  }

  /** Stops the timer; resolves when a round in progress has ended. */
  stop(): Promise<void> {
    return this.#timer.stop();
  }

  /** Whether the timer of {@link start} is running. */
  get running(): boolean {
    return this.#timer.running;
  }

  /** What upkeep did so far; see {@link UpkeepReport}. */
  report(): UpkeepReport {
    return this.#totals.report(this.#states.values());
  }

  readonly #jitter = (request: RepairRequest, retry: number): number =>
    this.#random !== undefined
      ? this.#random()
      : hashedRandom(this.#seed, request.symbol, request.start, request.end, retry);

  /** Follows the store's current session; a new one starts with fresh per-symbol state. */
  #syncSession(): void {
    const current = this.#sd.currentSession;
    if (current === this.#sessionDate) return;
    this.#totals.closeSession(this.#states.values());
    this.#states = new Map();
    this.#generation++;
    this.#sessionDate = current;
    this.#session = current === undefined ? undefined : this.#calendar.session(current);
    if (current !== undefined) this.#totals.sessions++;
  }

  #active(): readonly string[] {
    return this.#ranges.active(this.#watched(), this.#session);
  }

  #watched(): readonly string[] {
    return this.#watchedSymbols.list(this.#sd);
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
      // Nothing stored: every window is one gap.
      return findGapsIn(symbol, NO_TIMES, windows);
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
    this.#watchedSymbols.fixTo(ranges.keys(), this.#sd);
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
      this.#totals.missingSession(expected);
    }
    if (counted) this.#totals.sessions++;
  }

  #detect(gap: Gap, state: SymbolState, date: string): void {
    const fresh = markDetected(state, gap);
    if (fresh === 0) return;
    this.#totals.gapsDetected++;
    this.#totals.barsMissing += fresh;
    this.#emit({ type: "gapDetected", gap, sessionDate: date });
  }

  #commitContext(date: string): CommitContext {
    return {
      sessionData: this.#sd,
      sessionDate: date,
      tally: this.#totals.tally,
      emit: (event) => this.#emit(event),
      giveUp: (gap) => this.#totals.giveUp(gap),
    };
  }

  #emit(event: UpkeepEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch {
        this.#totals.listenerErrors++;
      }
    }
  }
}
