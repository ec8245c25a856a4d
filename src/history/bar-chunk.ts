/**
 * Helpers for building {@link BarChunk}s, shared by the stores' `scan`s.
 */
import { InvalidArgumentError } from "../domain/errors.js";
import type { BarChunk, ScanOptions } from "./bar-store.js";
import { normalizeSymbol } from "./symbol-info.js";

/** The default number of bars per {@link BarChunk}. */
export const DEFAULT_CHUNK_SIZE = 8192;

/** Throws unless `chunkSize`, `from` and `to` make a sensible scan request. */
export function checkScanOptions(options: ScanOptions): number {
  const size = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
  if (!Number.isInteger(size) || size < 1) {
    throw new InvalidArgumentError(`chunkSize must be a positive integer, got ${String(size)}`);
  }
  checkTimeRange("scan", options.from, options.to);
  return size;
}

/**
 * The scan request with its `symbols` as stores keep them (checked, upper case); the same
 * object when it names none.
 */
export function withStoredSymbols(options: ScanOptions): ScanOptions {
  const symbols = options.symbols?.map((s) => normalizeSymbol(s));
  return symbols === undefined ? options : { ...options, symbols };
}

/**
 * Throws unless `from` and `to` are numbers (epoch ms; infinities allowed for open ends), so a
 * NaN bound is an error rather than a silently empty answer.
 */
export function checkTimeRange(what: string, from: number, to: number): void {
  if (
    typeof from !== "number" ||
    typeof to !== "number" ||
    Number.isNaN(from) ||
    Number.isNaN(to)
  ) {
    throw new InvalidArgumentError(
      `${what} range ${String(from)}..${String(to)} is not a pair of epoch-ms numbers`,
    );
  }
}

/** An empty chunk of the given capacity; callers fill it and set `length` when they hand it out. */
export function allocateChunk(capacity: number): {
  length: number;
  symbol: string[];
  time: Float64Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
  provenance: Uint8Array;
} {
  return {
    length: 0,
    symbol: new Array<string>(capacity),
    time: new Float64Array(capacity),
    open: new Float64Array(capacity),
    high: new Float64Array(capacity),
    low: new Float64Array(capacity),
    close: new Float64Array(capacity),
    volume: new Float64Array(capacity),
    provenance: new Uint8Array(capacity),
  };
}

/** The chunk with `length` set to `n` and its arrays cut to `n` entries (views, no copies). */
export function trimChunk(chunk: ReturnType<typeof allocateChunk>, n: number): BarChunk {
  chunk.length = n;
  if (n === chunk.time.length) return chunk;
  return {
    length: n,
    symbol: chunk.symbol.length === n ? chunk.symbol : chunk.symbol.slice(0, n),
    time: chunk.time.subarray(0, n),
    open: chunk.open.subarray(0, n),
    high: chunk.high.subarray(0, n),
    low: chunk.low.subarray(0, n),
    close: chunk.close.subarray(0, n),
    volume: chunk.volume.subarray(0, n),
    provenance: chunk.provenance.subarray(0, n),
  };
}
