import type { Bar } from "../domain/bar.js";
import type { Provenance } from "../domain/provenance.js";

/**
 * A columnar slice of bars from {@link BarStore.scan}, ordered by (time, symbol).
 * Entry `i` of every array describes the same bar; only the first `length` entries are valid.
 */
export interface BarChunk {
  readonly length: number;
  readonly symbol: readonly string[];
  readonly time: Float64Array;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
  /**
   * Where each bar came from, as a `PROVENANCE_CODES` value (1 live, 2 replay, 3 refilled,
   * 4 corrected), or 0 when it was not recorded (bars imported from files).
   */
  readonly provenance: Uint8Array;
}

/**
 * What the store keeps about a symbol besides its bars: one row of the `symbols` table, set at
 * import (`setSymbolInfo`) and read by every command that needs the symbol's calendar or price
 * precision. A symbol whose import set nothing has none: readers fall back to their default.
 */
export interface SymbolInfo {
  /** The symbol, upper case. */
  readonly symbol: string;
  /** The symbol's trading calendar, a `calendarByName()` name (`"XNYS"`, `"24/7"`, …). */
  readonly calendar: string;
  /** The IANA time zone of its sessions (the calendar's, unless the data says otherwise). */
  readonly timeZone: string;
  /** The most decimals its prices were given with at import, 0 to 10. */
  readonly priceDecimals: number;
}

/** Options of {@link BarStore.writeBars}. */
export interface WriteOptions {
  /** Where the bars came from; stored with each bar (default: not recorded, code 0). */
  readonly provenance?: Provenance;
}

/** What {@link BarStore.scan} replays. Times are epoch ms, `from <= time < to`. */
export interface ScanOptions {
  /** The symbols to read; all of the store's when omitted. */
  readonly symbols?: readonly string[];
  readonly from: number;
  readonly to: number;
  /** Bars per chunk (default 8,192; a hint the adapter may round). */
  readonly chunkSize?: number;
}

/** A half-open span of time, `from <= t < to`, epoch ms. */
export interface TimeRange {
  readonly from: number;
  readonly to: number;
}

/** What {@link BarStore.countBars} counts: the bars of each symbol inside each range. */
export interface CountBarsOptions {
  /** The symbols (any case); one row of counts each, in this order. */
  readonly symbols: readonly string[];
  /** Finite ranges, ascending and disjoint (a session's regular hours, one or two per session). */
  readonly ranges: readonly TimeRange[];
}

/** The span of a symbol's stored bars. */
export interface Coverage {
  /** Open time of the first bar, epoch ms. */
  readonly first: number;
  /** Open time of the last bar, epoch ms. */
  readonly last: number;
  readonly count: number;
}

/** Anything that can answer a request for a symbol's bars: what gap repair needs of a source. */
export interface BarSource {
  /** The symbol's bars with `from <= time < to`, in time order. */
  readBars(symbol: string, from: number, to: number): Promise<Bar[]>;
}

/**
 * The port of the historical bar store: the place backtests replay from and gap repair refills
 * from. Adapters: `DuckDbBarStore`, `MemoryBarStore`. Symbols are stored upper case: every
 * member takes a symbol in any case and reads or writes its upper-case form.
 */
export interface BarStore extends BarSource {
  /**
   * Upserts bars: a bar at an existing (symbol, time) replaces it. All or nothing: when it
   * throws, the store is as it was. Bars are validated first (`InvalidBarError`).
   */
  writeBars(symbol: string, bars: readonly Bar[], options?: WriteOptions): Promise<void>;
  /** The symbol's stored calendar, time zone and precision, or `undefined` when none was set. */
  symbolInfo(symbol: string): Promise<SymbolInfo | undefined>;
  /** Every symbol's {@link SymbolInfo} that was set, sorted by symbol. */
  listSymbolInfo(): Promise<SymbolInfo[]>;
  /**
   * Sets (inserts or replaces) a symbol's info; allowed before the symbol has bars. Throws
   * `InvalidArgumentError` for an unknown calendar or time zone, or decimals outside 0..10.
   */
  setSymbolInfo(info: SymbolInfo): Promise<void>;
  /** An async iterator of columnar chunks ordered by (time, symbol), in bounded memory. */
  scan(options: ScanOptions): AsyncIterable<BarChunk>;
  /** Every symbol with at least one bar, sorted. */
  symbols(): Promise<string[]>;
  /**
   * How many bars each symbol has inside each range, computed where the bars are (one query in
   * a database): `counts[i][k]` for `symbols[i]` and `ranges[k]`; 0 for a symbol without bars.
   * What the quality heatmap needs without reading 48 M bars into the process. Throws
   * `InvalidArgumentError` for ranges that are not finite, ascending and disjoint.
   */
  countBars(options: CountBarsOptions): Promise<number[][]>;
  /** The symbol's first and last bar times and count, or `undefined` when it has no bars. */
  coverage(symbol: string): Promise<Coverage | undefined>;
  /** Releases the store's resources; further calls fail. */
  close(): Promise<void>;
}
