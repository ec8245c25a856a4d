import { inRegularHours, type Session } from "../calendar/trading-calendar.js";
import type { Bar } from "../domain/bar.js";
import type { BarArrival, SessionData, SymbolSessionData } from "../store/public.js";
import { BarMark } from "./bar-mark.js";
import type { Indicator, IndicatorFactory, IndicatorValue } from "./indicator.js";

/** What every symbol's state shares with its engine. */
export interface AnalysisContext {
  readonly sessionData: SessionData;
  readonly factories: readonly IndicatorFactory[];
  readonly warmupBars: number;
  readonly extendedHours: boolean;
  /** The calendar session of a date, cached. */
  session(date: string): Session | undefined;
  /** The calendar session whose extended hours hold `time`, cached. */
  sessionAt(time: number): Session | undefined;
}

/** The direction of price against its moving average. */
export type Trend = "bullish" | "bearish" | "neutral";

/** What {@link AnalysisEngine.analyze} answers. */
export interface AnalysisResult {
  readonly symbol: string;
  /** Open time of the latest bar the indicators saw (epoch ms), NaN before any. */
  readonly time: number;
  /** That bar's close, NaN before any. */
  readonly price: number;
  /** Every indicator of the set by name (`sma50`, `rsi14`, …); `null` while not ready. */
  readonly indicators: Readonly<Record<string, IndicatorValue | null>>;
  /** `bullish` when price > the first SMA (else EMA) of the set, `bearish` below, else `neutral`. */
  readonly trend: Trend;
}

/**
 * One symbol's indicator set and its bookkeeping against the store: which bars of the current
 * session it has seen (all of them, extended hours included) and which it fed (those the
 * engine's hours option admits).
 *
 * Invariant between calls: the set equals a set fed, in time order and once each, the warm-up
 * bars, then every admitted bar of every session seen since, the current one as the store holds
 * it. `sync` re-establishes it from the store alone; `onBar` from an event, reading the store only
 * for a late insert (and the latest-bar object `sync` compares with).
 */
export class SymbolAnalysis {
  readonly symbol: string;
  #ctx: AnalysisContext;
  #set: Indicator[];
  /** The set as it was before the current session's first bar (clones), when every member clones. */
  #checkpoint: Indicator[] | undefined;
  readonly #checkpointFed = new BarMark();
  #sessionDate: string | undefined;
  #seenCount = 0;
  readonly #seen = new BarMark();
  /** The store's handle and its revision after the last write taken in (see `sync`). */
  #handle: SymbolSessionData | undefined;
  #verified = -1;
  /** The bar of the hook call being taken in: one object reused (indicators keep no bar). */
  readonly #incoming = new BarMark();
  readonly #fed = new BarMark();
  /** Index in the set of the average the trend compares the price with, -1 for none. */
  readonly #trendIndex: number;
  /**
   * The session whose price units the set's state is in: corporate actions dated after it are
   * still to be applied (raw replays rescale at splits), those up to it are in.
   */
  #unitsDate = "";

  /** Builds the set and warms it up from the store's history, then catches up with the session. */
  constructor(symbol: string, ctx: AnalysisContext) {
    this.symbol = symbol;
    this.#ctx = ctx;
    this.#set = this.#warmedUpSet();
    const names = this.#set.map((i) => i.name);
    const sma = names.findIndex((n) => n.startsWith("sma"));
    this.#trendIndex = sma >= 0 ? sma : names.findIndex((n) => n.startsWith("ema"));
    this.sync();
  }

  /** Brings the set in line with the store, reading it (used by `analyze` and on creation). */
  sync(): void {
    const sd = this.#ctx.sessionData;
    const handle = sd.getSymbol(this.symbol);
    // The handle's revision changes with every write: nothing was written since the last write
    // this state took in.
    if (
      handle !== undefined &&
      handle === this.#handle &&
      handle.revision === this.#verified &&
      handle.getBarCount() > 0
    ) {
      return;
    }
    this.#catchUp(handle?.getLatestBar());
    this.#handle = handle;
    this.#verified = handle === undefined ? -1 : handle.revision;
  }

  #catchUp(latest: Bar | undefined): void {
    const sd = this.#ctx.sessionData;
    const current = sd.currentSession;
    if (current === undefined) return;
    const count = sd.getBarCount(this.symbol);
    if (current !== this.#sessionDate) {
      if (count === 0) return;
      this.#roll(current);
    }
    if (count === this.#seenCount) {
      if (latest === undefined) return;
      if (latest.time === this.#seen.time && !this.#seen.same(latest)) {
        this.#replaceLatest(latest);
      } else {
        // Same count, yet a write this state has not heard of (the latest-bar object changed):
        // a correction of an older bar, or a later bar with an earlier one replaced.
        this.rebuild();
      }
      return;
    }
    if (count > this.#seenCount) {
      const seen = this.#seenCount;
      const bars = sd.getBarsSince(
        this.symbol,
        seen === 0 ? Number.NEGATIVE_INFINITY : this.#seen.time,
      );
      const first = seen === 0 ? undefined : bars[0];
      // Only appends since we looked (the latest seen bar may have been corrected): feed the rest.
      if (
        bars.length - (seen === 0 ? 0 : 1) === count - seen &&
        (first === undefined || first.time === this.#seen.time)
      ) {
        if (first !== undefined && !this.#seen.same(first)) this.#replaceLatest(first);
        for (let i = seen === 0 ? 0 : 1; i < bars.length; i++)
          this.#observe(bars[i]!, this.#admits(bars[i]!.time));
        return;
      }
    }
    this.rebuild();
  }

  /**
   * Takes in one bar the store just stored (a bar hook's call). Returns whether the bar reaches
   * the indicators. The usual append reads one number of the store (the handle's revision,
   * kept for `sync`) and allocates nothing.
   */
  onBar(
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
  ): boolean {
    const revision = handle.revision;
    // Already taken in: `analyze` caught up from the store earlier in this very dispatch.
    if (handle === this.#handle && revision === this.#verified) {
      return regular || this.#ctx.extendedHours;
    }
    let admitted: boolean;
    const seen = this.#seen;
    if (arrival === "append" && time > seen.time && sessionDate === this.#sessionDate) {
      // The usual bar (replay, live): the next of the session, written straight into `#seen`
      // and fed from there, what `#take` → `#observe` does less one copy of the bar.
      seen.time = time;
      seen.open = open;
      seen.high = high;
      seen.low = low;
      seen.close = close;
      seen.volume = volume;
      this.#seenCount++;
      admitted = regular || this.#ctx.extendedHours;
      if (admitted) {
        const set = this.#set;
        for (let i = 0; i < set.length; i++) set[i]!.update(seen);
        this.#fed.copy(seen);
      }
    } else {
      const bar = this.#incoming;
      bar.time = time;
      bar.open = open;
      bar.high = high;
      bar.low = low;
      bar.close = close;
      bar.volume = volume;
      admitted = this.#take(bar, arrival, sessionDate, regular);
    }
    // Taking a bar in only reads the store, so `revision` is still the handle's.
    this.#handle = handle;
    this.#verified = revision;
    return admitted;
  }

  #take(bar: Bar, arrival: string, sessionDate: string, regular: boolean): boolean {
    if (sessionDate !== this.#sessionDate) this.#roll(sessionDate);
    const admitted = regular || this.#ctx.extendedHours;
    const t = bar.time;
    const seenTime = this.#seen.time;
    if (t > seenTime) {
      if (arrival === "insert") this.sync();
      else this.#observe(bar, admitted);
      return admitted;
    }
    if (t === seenTime) {
      if (!this.#seen.same(bar)) this.#replaceLatest(bar);
      return admitted;
    }
    if (arrival === "insert") {
      // Already taken in when `analyze` rebuilt from the store ahead of this event.
      if (this.#ctx.sessionData.getBarCount(this.symbol) === this.#seenCount) return admitted;
      if (admitted) this.rebuild();
      else this.#seenCount++;
      return admitted;
    }
    if (arrival === "replace" && admitted) {
      if (t === this.#fed.time) {
        if (!this.#fed.same(bar)) this.#replaceFed(bar);
      } else {
        this.rebuild();
      }
    }
    return admitted;
  }

  /**
   * Rebuilds the set after a late or corrected bar in the middle of the session: from the
   * session-start checkpoint when every indicator clones (O(bars of the session) × set size), else
   * from a fresh set warmed up from history (O(warm-up + session bars) × set size).
   */
  rebuild(): void {
    const date = this.#ctx.sessionData.currentSession;
    if (date === undefined) return;
    if (this.#checkpoint !== undefined && this.#sessionDate === date) {
      this.#set = this.#checkpoint.map((i) => i.clone!());
      this.#fed.copy(this.#checkpointFed);
    } else {
      this.#set = this.#warmedUpSet();
      this.#checkpoint = this.#cloneSet();
      this.#checkpointFed.copy(this.#fed);
    }
    this.#startSession(date);
    const bars = this.#ctx.sessionData.getBarsSince(this.symbol, Number.NEGATIVE_INFINITY);
    for (const bar of bars) this.#observe(bar, this.#admits(bar.time));
  }

  /**
   * A split (or other corporate action) of a raw replay took effect at session `date`: the set's
   * price-valued state × `ratio`, volume-valued ÷ `ratio`, unless the state is already in the
   * units of `date` (a set warmed up after the action). Indicators without `rescale` keep theirs.
   */
  rescale(date: string, ratio: number): void {
    if (!(date > this.#unitsDate)) return;
    this.#unitsDate = date;
    this.#rescaleBy(ratio);
  }

  #rescaleBy(ratio: number): void {
    rescaleSet(this.#set, this.#fed, ratio);
  }

  /** The current result (allocates it). */
  result(): AnalysisResult {
    const indicators: Record<string, IndicatorValue | null> = {};
    for (const indicator of this.#set) indicators[indicator.name] = indicator.value ?? null;
    const price = this.#fed.close;
    let trend: Trend = "neutral";
    if (this.#trendIndex >= 0) {
      const average = this.#set[this.#trendIndex]!.value;
      if (typeof average === "number") {
        if (price > average) trend = "bullish";
        else if (price < average) trend = "bearish";
      }
    }
    const time = this.#fed.time === Number.NEGATIVE_INFINITY ? Number.NaN : this.#fed.time;
    return { symbol: this.symbol, time, price, indicators, trend };
  }

  /** Starts a new session: snapshot for rebuilds, then session-scoped indicators start over. */
  #roll(date: string): void {
    this.#checkpoint = this.#cloneSet();
    this.#checkpointFed.copy(this.#fed);
    this.#startSession(date);
  }

  /** Session-scoped indicators start over at `date`, and nothing of it is seen yet. */
  #startSession(date: string): void {
    this.#sessionDate = date;
    for (const indicator of this.#set) indicator.startSession?.(date);
    this.#seenCount = 0;
    this.#seen.clear();
  }

  #cloneSet(): Indicator[] | undefined {
    const set = this.#set;
    for (const indicator of set) if (indicator.clone === undefined) return undefined;
    return set.map((i) => i.clone!());
  }

  /** A bar newer than every bar seen this session. */
  #observe(bar: Bar, admitted: boolean): void {
    this.#seenCount++;
    this.#seen.set(bar);
    if (!admitted) return;
    const set = this.#set;
    for (let i = 0; i < set.length; i++) set[i]!.update(bar);
    this.#fed.set(bar);
  }

  /** A correction of the latest bar seen. */
  #replaceLatest(bar: Bar): void {
    this.#seen.set(bar);
    if (bar.time === this.#fed.time) this.#replaceFed(bar);
  }

  #replaceFed(bar: Bar): void {
    const set = this.#set;
    for (let i = 0; i < set.length; i++) set[i]!.replace(bar);
    this.#fed.set(bar);
  }

  #admits(time: number): boolean {
    if (this.#ctx.extendedHours) return true;
    // Regular hours leave a lunch break out, as the store's metrics do.
    return inRegularHours(this.#ctx.session(this.#sessionDate!), time);
  }

  /**
   * A fresh set fed the last `warmupBars` admitted bars of the store's history (prior sessions),
   * each session announced with `startSession`. Leaves `#fed` on the last of them.
   */
  #warmedUpSet(): Indicator[] {
    const ctx = this.#ctx;
    const set = ctx.factories.map((make) => make());
    this.#fed.clear();
    const want = ctx.warmupBars;
    if (want === 0) return set;
    // Extended-hours bars do not count towards the warm-up: ask for more until enough are admitted.
    let ask = want;
    let bars: Bar[];
    let admitted: Bar[];
    for (;;) {
      bars = ctx.sessionData.getHistoricalBars(this.symbol, ask);
      admitted = ctx.extendedHours ? bars : bars.filter((b) => this.#regularInHistory(b.time));
      if (admitted.length >= want || bars.length < ask) break;
      ask *= 2;
    }
    let date: string | undefined;
    const sd = ctx.sessionData;
    for (let i = Math.max(0, admitted.length - want); i < admitted.length; i++) {
      const bar = admitted[i]!;
      const session = ctx.sessionAt(bar.time);
      if (session !== undefined && session.date !== date) {
        // Raw history across a split: bring what was fed so far into the new session's units.
        if (date !== undefined) {
          rescaleSet(set, this.#fed, sd.corporateRescale(this.symbol, date, session.date));
        }
        date = session.date;
        for (const indicator of set) indicator.startSession?.(date);
      }
      for (const indicator of set) indicator.update(bar);
      this.#fed.set(bar);
    }
    const current = sd.currentSession;
    if (date !== undefined && current !== undefined) {
      rescaleSet(set, this.#fed, sd.corporateRescale(this.symbol, date, current));
    }
    this.#unitsDate = current ?? "";
    return set;
  }

  #regularInHistory(time: number): boolean {
    return inRegularHours(this.#ctx.sessionAt(time), time);
  }
}

/** Price-valued state of `set` and `fed` × `ratio`, volume-valued ÷ `ratio` (a split's units). */
function rescaleSet(set: readonly Indicator[], fed: BarMark, ratio: number): void {
  if (ratio === 1) return;
  const volume = 1 / ratio;
  for (const indicator of set) indicator.rescale?.(ratio, volume);
  fed.rescale(ratio, volume);
}
