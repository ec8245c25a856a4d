import type { Bar } from "../domain/bar.js";

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
 * from. Adapters: `DuckDbBarStore`, `MemoryBarStore`.
 */
export interface BarStore extends BarSource {
  /**
   * Upserts bars: a bar at an existing (symbol, time) replaces it. All or nothing: when it
   * throws, the store is as it was. Bars are validated first (`InvalidBarError`).
   */
  writeBars(symbol: string, bars: readonly Bar[]): Promise<void>;
  /** An async iterator of columnar chunks ordered by (time, symbol), in bounded memory. */
  scan(options: ScanOptions): AsyncIterable<BarChunk>;
  /** Every symbol with at least one bar, sorted. */
  symbols(): Promise<string[]>;
  /** The symbol's first and last bar times and count, or `undefined` when it has no bars. */
  coverage(symbol: string): Promise<Coverage | undefined>;
  /** Releases the store's resources; further calls fail. */
  close(): Promise<void>;
}
