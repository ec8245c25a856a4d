/**
 * The store as an analysis worker sees it: for each symbol of the worker, the 1-minute bars of
 * the current session and of the prior sessions kept, and its corporate actions, exactly as the
 * owner's `SessionData` held them at the point of the owner's bar log the worker has reached.
 * It answers the reads a `SymbolAnalysis` makes of its store (`getSymbol`, `currentSession`,
 * `getBarCount`, `getBarsSince`, `getHistoricalBars`, `corporateRescale`), so the worker runs the
 * engine's own per-symbol code and gets the single-threaded engine's values bit for bit.
 * Internal to `AnalysisEngine({ workers })`.
 */
import type { TradingCalendar } from "../calendar/trading-calendar.js";
import type { Bar } from "../domain/bar.js";

/** One session's bars kept in history (objects: read only when a set warms up). */
interface HistorySession {
  readonly date: string;
  readonly bars: Bar[];
}

/** Arrival codes of the bar log (the store's `BarArrival`). */
export const ARRIVAL_APPEND = 0;
export const ARRIVAL_INSERT = 1;
export const ARRIVAL_REPLACE = 2;

/** One symbol of the worker's store: the session's columns, history, corporate actions. */
export class WorkerSymbol {
  readonly symbol: string;
  /** Changes with every bar and roll, as the owner's handle's `revision` does. */
  revision = 0;
  #time = new Float64Array(512);
  #open = new Float64Array(512);
  #high = new Float64Array(512);
  #low = new Float64Array(512);
  #close = new Float64Array(512);
  #volume = new Float64Array(512);
  #length = 0;
  #latest: Bar | undefined;
  history: HistorySession[] = [];
  actions: { readonly date: string; readonly rescale: number }[] = [];

  constructor(symbol: string) {
    this.symbol = symbol;
  }

  getBarCount(): number {
    return this.#length;
  }

  getLatestBar(): Bar | undefined {
    if (this.#latest === undefined && this.#length > 0) this.#latest = this.#bar(this.#length - 1);
    return this.#latest;
  }

  #bar(i: number): Bar {
    return {
      time: this.#time[i]!,
      open: this.#open[i]!,
      high: this.#high[i]!,
      low: this.#low[i]!,
      close: this.#close[i]!,
      volume: this.#volume[i]!,
    };
  }

  /** The session's bars with `time >= t`, oldest first, as new objects. */
  barsSince(t: number): Bar[] {
    const i = this.#lowerBound(t);
    const out: Bar[] = new Array(this.#length - i);
    for (let j = i; j < this.#length; j++) out[j - i] = this.#bar(j);
    return out;
  }

  /** The last `n` bars of the kept prior sessions, oldest first. */
  historical(n: number): Bar[] {
    const parts: Bar[][] = [];
    let need = n;
    for (let s = this.history.length - 1; s >= 0 && need > 0; s--) {
      const bars = this.history[s]!.bars;
      const take = Math.min(need, bars.length);
      parts.push(bars.slice(bars.length - take));
      need -= take;
    }
    return parts.reverse().flat();
  }

  #lowerBound(t: number): number {
    let lo = 0;
    let hi = this.#length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#time[mid]! < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Stores one bar as the owner's store did (`arrival` says how, so no search on an append). */
  apply(
    time: number,
    open: number,
    high: number,
    low: number,
    close: number,
    volume: number,
    arrival: number,
  ): void {
    this.revision++;
    this.#latest = undefined;
    let i = this.#length;
    if (arrival !== ARRIVAL_APPEND) {
      i = this.#lowerBound(time);
      if (arrival === ARRIVAL_INSERT) this.#openGap(i);
    } else {
      if (i === this.#time.length) this.#grow();
      this.#length++;
    }
    this.#time[i] = time;
    this.#open[i] = open;
    this.#high[i] = high;
    this.#low[i] = low;
    this.#close[i] = close;
    this.#volume[i] = volume;
  }

  #openGap(i: number): void {
    if (this.#length === this.#time.length) this.#grow();
    for (const col of [this.#time, this.#open, this.#high, this.#low, this.#close, this.#volume]) {
      col.copyWithin(i + 1, i, this.#length);
    }
    this.#length++;
  }

  #grow(): void {
    const grow = (a: Float64Array) => {
      const b = new Float64Array(a.length * 2);
      b.set(a);
      return b;
    };
    this.#time = grow(this.#time);
    this.#open = grow(this.#open);
    this.#high = grow(this.#high);
    this.#low = grow(this.#low);
    this.#close = grow(this.#close);
    this.#volume = grow(this.#volume);
  }

  /** Sets the session's bars (a symbol's first appearance: what the owner held then). */
  load(bars: Float64Array): void {
    this.#length = 0;
    for (let j = 0; j + 5 < bars.length; j += 6) {
      this.apply(
        bars[j]!,
        bars[j + 1]!,
        bars[j + 2]!,
        bars[j + 3]!,
        bars[j + 4]!,
        bars[j + 5]!,
        ARRIVAL_APPEND,
      );
    }
  }

  /** The current session `date` ends: its bars go to history when `keep`. */
  roll(date: string | undefined, keep: boolean): void {
    this.revision++;
    if (keep && date !== undefined && this.#length > 0) {
      this.history.push({ date, bars: this.barsSince(Number.NEGATIVE_INFINITY) });
    }
    this.#length = 0;
    this.#latest = undefined;
  }
}

/** Bars of a packed `Float64Array` (6 numbers a bar) as objects. */
export function unpackBars(packed: Float64Array): Bar[] {
  const out: Bar[] = [];
  for (let j = 0; j + 5 < packed.length; j += 6) {
    out.push({
      time: packed[j]!,
      open: packed[j + 1]!,
      high: packed[j + 2]!,
      low: packed[j + 3]!,
      close: packed[j + 4]!,
      volume: packed[j + 5]!,
    });
  }
  return out;
}

/** The worker's store: its symbols by key, the session, the history dates kept. */
export class WorkerBarStore {
  readonly calendar: TradingCalendar;
  readonly historySessions: number;
  currentSession: string | undefined;
  readonly #symbols = new Map<string, WorkerSymbol>();
  #historyDates: string[] = [];

  constructor(calendar: TradingCalendar, historySessions: number) {
    this.calendar = calendar;
    this.historySessions = historySessions;
  }

  /** The symbol's entry, made empty on first use. */
  entry(symbol: string): WorkerSymbol {
    let sym = this.#symbols.get(symbol);
    if (sym === undefined) {
      sym = new WorkerSymbol(symbol);
      this.#symbols.set(symbol, sym);
    }
    return sym;
  }

  /** Sets the history dates the owner keeps (at a symbol's first appearance). */
  setHistoryDates(dates: string[]): void {
    this.#historyDates = dates;
  }

  getSymbol(symbol: string): WorkerSymbol | undefined {
    return this.#symbols.get(symbol);
  }

  getBarCount(symbol: string): number {
    return this.#symbols.get(symbol)?.getBarCount() ?? 0;
  }

  getBarsSince(symbol: string, t: number): Bar[] {
    return this.#symbols.get(symbol)?.barsSince(t) ?? [];
  }

  getHistoricalBars(symbol: string, n: number): Bar[] {
    return this.#symbols.get(symbol)?.historical(n) ?? [];
  }

  /** As `SessionData.corporateRescale`: the product, oldest first, of rescales in `(after, upTo]`. */
  corporateRescale(symbol: string, after: string, upTo: string): number {
    let product = 1;
    for (const a of this.#symbols.get(symbol)?.actions ?? []) {
      if (a.date > after && a.date <= upTo) product *= a.rescale;
    }
    return product;
  }

  /** Session `date` starts: as the owner's store rolls, so does this one (same history kept). */
  startSession(date: string): void {
    const previous = this.currentSession;
    if (previous === date) return;
    if (previous !== undefined) {
      const keep = this.historySessions > 0;
      for (const sym of this.#symbols.values()) sym.roll(previous, keep);
      if (keep) this.#historyDates.push(previous);
      while (this.#historyDates.length > this.historySessions) this.#historyDates.shift();
      const oldest = this.#historyDates[0];
      for (const sym of this.#symbols.values()) {
        sym.history = oldest === undefined ? [] : sym.history.filter((h) => h.date >= oldest);
      }
    }
    this.currentSession = date;
  }

  /** Forgets everything (the owner's store was cleared). */
  clear(): void {
    this.#symbols.clear();
    this.#historyDates = [];
    this.currentSession = undefined;
  }
}
