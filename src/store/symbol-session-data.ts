import type { Bar } from "../domain/bar.js";
import { type Provenance, type ProvenanceCounts, provenanceOfCode } from "../domain/provenance.js";
import type { Timeframe } from "../domain/timeframe.js";
import { DerivedTimeframe, TIMEFRAME_WIDTHS, timeframeIndex } from "./aggregation.js";
import type { BarBuffer, BarView } from "./bar-buffer.js";
import { BarColumns, type BarSeries } from "./bar-columns.js";
import type { BarArrival } from "./events.js";
import { carve, HistorySession } from "./history-session.js";
import { MetricsAccumulator, type SessionMetrics } from "./metrics.js";
import { ProvenanceCodes, uniformCounts } from "./provenance-column.js";
import { checkBufferCount, checkCount, checkSince } from "./read-checks.js";
import {
  DETACH,
  DROP_HISTORY_BEFORE,
  ROLL,
  SET_REPAIR,
  type SessionContext,
  WRITE,
} from "./session-context.js";

/**
 * One symbol's bars in a {@link SessionData}: the current session's 1-minute columns, the
 * derived 5m/15m/30m/1h bars, the session metrics and the symbol's prior sessions.
 *
 * It is the hot-loop handle (`sd.getSymbol("AAPL")`): the same reads as `SessionData` without the
 * symbol argument and without a map look-up. The handle stays valid across session changes (it
 * always reads the current session) until `sd.clear()` or until the symbol drops out of the store
 * (no bars in the current session nor in history); a detached handle reads as empty.
 * `getLatestBar` returns the same frozen object until the symbol's bars change.
 *
 * @example
 * ```ts
 * const aapl = getSessionData().getSymbol("AAPL");
 * if (aapl) for (;;) { const bar = aapl.getLatestBar(); … }
 * ```
 */
export class SymbolSessionData {
  /** The symbol this handle reads. */
  readonly symbol: string;
  /**
   * A small whole number, distinct among the handles of one store (0, 1, 2, … in creation order,
   * counted afresh after `clear()`): a bar hook can keep per-symbol state in an array indexed by
   * it instead of a map keyed by the symbol's name. A symbol that dropped out of the store and
   * came back has a new handle and a new key.
   */
  readonly key: number;
  #ctx: SessionContext;
  #m1: BarColumns;
  #derived: DerivedTimeframe[];
  #acc = new MetricsAccumulator();
  /**
   * The provenance code of every current-session bar while {@link #codes} is inactive (a
   * session of one provenance costs no byte per bar); 0 before the session's first bar.
   */
  #uniform = 0;
  /** Per-bar codes, made when the session first mixes provenances (see {@link #splitCodes}). */
  #codes: ProvenanceCodes | undefined = undefined;
  /** A previous session's codes, for the next mixed session to reuse. */
  #spareCodes: ProvenanceCodes | undefined = undefined;
  // Cached frozen latest bars, cleared by every write: a repeated getLatestBar costs a field read.
  #latest1m: Bar | undefined = undefined;
  // Made on the first derived read: most symbols are never read at higher timeframes, and the
  // array would cost heap for each of them.
  #latestDerived: (Bar | undefined)[] | undefined = undefined;
  #filled = 0;
  #unfillable = 0;
  #revision = 0;
  /** How many 1-minute bars (a prefix) the derived timeframes hold folded (see #settle). */
  #folded = 0;
  /**
   * The previous session's buffer, free once history took its trimmed copy: the next session
   * reuses it when it fits, instead of allocating (and zeroing) one per symbol and session.
   */
  #spare: Float64Array | undefined = undefined;
  /** A dropped history session's buffer, for the next roll's history copy. */
  #spareHistory: Float64Array | undefined = undefined;
  /** Oldest first. */
  #history: HistorySession[] = [];

  /** @internal Created by {@link SessionData} only. */
  constructor(symbol: string, ctx: SessionContext) {
    this.symbol = symbol;
    this.key = ctx.nextKey++;
    this.#ctx = ctx;
    this.#m1 = new BarColumns(0);
    this.#derived = [];
    this.#emptyDerived();
  }

  #emptyDerived(): void {
    this.#derived = [1, 2, 3, 4].map((i) => new DerivedTimeframe(TIMEFRAME_WIDTHS[i]!, 0));
  }

  // Columns are sized for the whole session on its first bar, so a live session never regrows
  // them (a session's minutes bound the bars it can hold). All five timeframes share one buffer:
  // one allocation per symbol and session.
  #allocate(): void {
    const ctx = this.#ctx;
    const caps = [Math.max(8, ctx.minutes)];
    for (let k = 1; k <= 4; k++) {
      caps.push(Math.max(1, DerivedTimeframe.bucketCount(TIMEFRAME_WIDTHS[k]!, ctx)));
    }
    const { root, bases } = carve(caps, this.#spare);
    this.#spare = undefined;
    this.#m1 = new BarColumns(caps[0]!, root, 0);
    this.#derived = [1, 2, 3, 4].map(
      (k) => new DerivedTimeframe(TIMEFRAME_WIDTHS[k]!, caps[k]!, root, bases[k]),
    );
  }

  /** The provenance of appended bar `n` when it may differ from the session's uniform code. */
  #appendCode(n: number, code: number, regular: boolean): void {
    if (n === 0) this.#uniform = code;
    else if (code !== this.#uniform || this.#codes !== undefined) {
      this.#splitCodes(n).append(n, code, regular);
    }
  }

  /**
   * The session's per-bar codes, made (or the spare reused) with its `n` bars so far all of the
   * uniform code when it has none yet: a bar of another provenance arrived.
   */
  #splitCodes(n: number): ProvenanceCodes {
    let codes = this.#codes;
    if (codes !== undefined) return codes;
    const capacity = this.#m1.capacity;
    codes = this.#spareCodes ?? new ProvenanceCodes(capacity);
    this.#spareCodes = undefined;
    this.#codes = codes.split(this.#uniform, n, this.#acc.count, capacity);
    return codes;
  }

  #provenanceCounts(): ProvenanceCounts {
    return this.#codes?.counts() ?? uniformCounts(this.#uniform, this.#acc.count);
  }

  #columns(tf: Timeframe | undefined): BarColumns {
    if (tf === undefined || tf === "1m") return this.#m1;
    const k = timeframeIndex(tf) - 1;
    this.#settle();
    return this.#derived[k]!;
  }

  /**
   * Folds the 1-minute bars appended since the last settle into the derived timeframes. The
   * write path leaves them to the next derived read (or roll): an append then touches the
   * 1-minute columns and the metrics only, where folding it into four timeframes at once cost
   * more than the rest of the write. The same bars fold in the same order either way, so the
   * results are bit-identical, and the cost per bar is the same, only paid later.
   */
  #settle(): void {
    const m1 = this.#m1;
    const n = m1.length;
    const from = this.#folded;
    if (from === n) return;
    const ctx = this.#ctx;
    const derived = this.#derived;
    for (let k = 0; k < 4; k++) derived[k]!.foldRange(m1, from, n, ctx);
    this.#folded = n;
  }

  /**
   * @internal Stores a validated bar of the current session. `regular`: whether `t` is in the
   * session's regular hours (the caller needs it too, so it tells rather than both computing it);
   * `code`: the bar's provenance code (1–4, see `PROVENANCE_CODES`).
   */
  [WRITE](
    t: number,
    o: number,
    h: number,
    l: number,
    c: number,
    v: number,
    regular: boolean,
    code: number,
  ): BarArrival {
    const ctx = this.#ctx;
    this.#revision++;
    if (this.#m1.capacity === 0) this.#allocate();
    const m1 = this.#m1;
    const n = m1.length;
    let arrival: BarArrival;
    if (n === 0 || t > m1.buf[m1.base + n - 1]!) {
      // Derived timeframes fold it on their next read (see #settle).
      // A session of one provenance (the usual case) pays one comparison here.
      if (code !== this.#uniform || this.#codes !== undefined) this.#appendCode(n, code, regular);
      m1.append(t, o, h, l, c, v);
      arrival = "append";
      if (regular) this.#acc.append(t, o, h, l, c, v);
    } else {
      // Bars pending a fold are found by index: fold them before indexes shift.
      this.#settle();
      const derived = this.#derived;
      const i = m1.lowerBound(t);
      const codes = code === this.#uniform ? this.#codes : this.#splitCodes(n);
      if (m1.timeAt(i) === t) {
        m1.set(i, t, o, h, l, c, v);
        arrival = "replace";
        codes?.replace(i, code, regular);
      } else {
        m1.insert(i, t, o, h, l, c, v);
        arrival = "insert";
        codes?.insert(i, n, code, regular);
      }
      if (regular) {
        this.#acc.recompute(m1, ctx.open, ctx.close, ctx.breakStart, ctx.breakEnd);
        for (let k = 0; k < 4; k++) derived[k]!.rebuild(m1, ctx, t);
      }
      this.#folded = m1.length;
    }
    this.#latest1m = undefined;
    const cache = this.#latestDerived;
    if (regular && cache !== undefined) cache[0] = cache[1] = cache[2] = cache[3] = undefined;
    return arrival;
  }

  /**
   * @internal Moves the current session into history (when it has bars) and empties the
   * columns for the next one. `expected` is the finished session's full expected bar count.
   */
  [ROLL](expected: number, keep: boolean): void {
    const date = this.#ctx.date;
    this.#revision++;
    if (keep && date !== undefined && this.#m1.length > 0) {
      // The derived timeframes are not folded here: history folds them if a read asks.
      const metrics = this.#acc.toMetrics(
        this.symbol,
        date,
        expected,
        this.#filled,
        this.#unfillable,
        this.#provenanceCounts(),
      );
      this.#history.push(
        new HistorySession(date, this.#m1, this.#ctx, Object.freeze(metrics), this.#spareHistory),
      );
      this.#spareHistory = undefined;
    }
    // Views from getSeries may still point into it: they were valid until this change only.
    if (this.#m1.capacity > 0) this.#spare = this.#m1.buf;
    this.#m1 = new BarColumns(0);
    this.#emptyDerived();
    this.#acc.reset();
    this.#uniform = 0;
    if (this.#codes !== undefined) this.#spareCodes = this.#codes;
    this.#codes = undefined;
    this.#folded = 0;
    this.#filled = this.#unfillable = 0;
    this.#latest1m = undefined;
    this.#latestDerived = undefined;
  }

  /** @internal Forgets history sessions dated before `date`; returns whether anything is left. */
  [DROP_HISTORY_BEFORE](date: string | undefined): boolean {
    const h = this.#history;
    let k = 0;
    while (k < h.length && (date === undefined || h[k]!.date < date)) k++;
    if (k > 0) {
      // The dropped session's buffer: the next roll's copy may reuse it.
      this.#spareHistory = h[k - 1]!.m1.buf;
      h.splice(0, k);
    }
    return h.length > 0 || this.#m1.length > 0;
  }

  /** @internal */
  [SET_REPAIR](filled: number, unfillable: number): void {
    this.#filled = filled;
    this.#unfillable = unfillable;
  }

  /** @internal Empties the handle for good (the store was cleared or dropped the symbol). */
  [DETACH](): void {
    this[ROLL](0, false);
    this.#spareCodes = undefined;
    this.#spare = this.#spareHistory = undefined;
    this.#history = [];
  }

  /**
   * A number that changes with every change of the symbol's bars in the store (each stored bar,
   * each session roll) and with nothing else: a reader that noted it can tell in one read
   * whether anything happened since. Only equality means something; it carries no count.
   */
  get revision(): number {
    return this.#revision;
  }

  /** The latest bar, or `undefined` when the session has none. O(1); no allocation when cached. */
  getLatestBar(tf: Timeframe = "1m"): Bar | undefined {
    if (tf === "1m") {
      const cached = this.#latest1m;
      if (cached !== undefined) return cached;
      const n = this.#m1.length;
      return n === 0 ? undefined : (this.#latest1m = Object.freeze(this.#m1.barAt(n - 1)));
    }
    const k = timeframeIndex(tf) - 1;
    const cache = (this.#latestDerived ??= [undefined, undefined, undefined, undefined]);
    const cached = cache[k];
    if (cached !== undefined) return cached;
    this.#settle();
    const cols = this.#derived[k]!;
    return cols.length === 0 ? undefined : (cache[k] = Object.freeze(cols.barAt(cols.length - 1)));
  }

  /** The bars held for the timeframe in the current session. O(1). */
  getBarCount(tf: Timeframe = "1m"): number {
    if (tf === "1m") return this.#m1.length;
    return this.#columns(tf).length;
  }

  /** The last `n` bars (fewer if the session holds fewer), oldest first. */
  getLastNBars(n: number, tf: Timeframe = "1m"): Bar[] {
    const cols = this.#columns(tf);
    const len = cols.length;
    const count = Math.min(len, checkCount(n));
    return cols.bars(len - count, len);
  }

  /**
   * Copies the last `n` bars (fewer when the session has fewer) into `into`, oldest first, and
   * returns how many: the allocation-free form of {@link getLastNBars}. Throws
   * `InvalidArgumentError` when `n` exceeds `into.capacity`.
   */
  readLastN(n: number, into: BarBuffer, tf: Timeframe = "1m"): number {
    const cols = this.#columns(tf);
    const len = cols.length;
    const count = Math.min(len, checkBufferCount(n, into));
    return cols.copyInto(len - count, len, into);
  }

  /** Points `view` at the last `n` bars (fewer when there are fewer) without copying; returns how many. */
  viewLastN(n: number, view: BarView, tf: Timeframe = "1m"): number {
    const cols = this.#columns(tf);
    const len = cols.length;
    const count = Math.min(len, checkCount(n));
    return cols.viewInto(len - count, len, view);
  }

  /** Bars with `time >= t`, oldest first. O(log n + k). */
  getBarsSince(t: number, tf: Timeframe = "1m"): Bar[] {
    const from = checkSince(t);
    const cols = this.#columns(tf);
    return cols.bars(cols.lowerBound(from), cols.length);
  }

  /** Zero-copy column views of the session's bars, or `undefined` when it has none. */
  getSeries(tf: Timeframe = "1m"): BarSeries | undefined {
    const cols = this.#columns(tf);
    return cols.length === 0 ? undefined : cols.series();
  }

  /**
   * The metrics of the current session (or of `date`, a session still in history), `undefined`
   * when the store has no session yet or `date` is not kept.
   */
  getSessionMetrics(date?: string): SessionMetrics | undefined {
    const ctx = this.#ctx;
    if (ctx.date === undefined) return undefined;
    if (date === undefined || date === ctx.date) {
      const until = Math.min(ctx.clock, ctx.close);
      const expected = Number.isNaN(until) ? 0 : ctx.calendar.expectedBarCount(ctx.date, until);
      return this.#acc.toMetrics(
        this.symbol,
        ctx.date,
        expected,
        this.#filled,
        this.#unfillable,
        this.#provenanceCounts(),
      );
    }
    for (const h of this.#history) if (h.date === date) return { ...h.metrics };
    return undefined;
  }

  /**
   * Where the current session's bar at `time` came from, `undefined` when no bar is held at
   * `time` (the bar now held: a replacement's provenance replaced the old one's). O(log n).
   */
  getProvenance(time: number): Provenance | undefined {
    const m1 = this.#m1;
    const i = m1.lowerBound(time);
    if (!(i < m1.length && m1.timeAt(i) === time)) return undefined;
    const codes = this.#codes;
    return codes === undefined ? provenanceOfCode(this.#uniform) : codes.at(i);
  }

  /** The last `n` bars of prior sessions kept in history (not the current one), oldest first. */
  getHistoricalBars(n: number, tf: Timeframe = "1m"): Bar[] {
    const k = timeframeIndex(tf);
    let need = checkCount(n);
    const parts: Bar[][] = [];
    for (let s = this.#history.length - 1; s >= 0 && need > 0; s--) {
      const cols = this.#history[s]!.columns(k);
      const take = Math.min(need, cols.length);
      parts.push(cols.bars(cols.length - take, cols.length));
      need -= take;
    }
    return parts.reverse().flat();
  }

  /** Dates of this symbol's sessions kept in history, oldest first. */
  historySessionDates(): string[] {
    return this.#history.map((h) => h.date);
  }
}
