import { type Bar, barProblem } from "../domain/bar.js";
import { InvalidBarError } from "../domain/errors.js";
import { PROVENANCES } from "../domain/provenance.js";
import type { BarStore, WriteOptions } from "./bar-store.js";
import {
  checkProvenanceCodes,
  checkSymbol,
  normalizeSymbol,
  provenanceCodeOf,
} from "./symbol-info.js";

export { checkSymbol, normalizeSymbol };

/**
 * A bar's six numbers as parallel columns; entry `i` of each array is one bar. Used by the bulk
 * paths (importers, the sample generator) so millions of bars never become objects.
 */
export interface BarColumns {
  readonly time: Float64Array;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
  /** Each bar's provenance code (`PROVENANCE_CODES`, or 0); absent means 0 (not recorded). */
  readonly provenance?: Uint8Array;
}

/**
 * Collects bars of any number of symbols and writes them in one step: nothing of them is visible
 * before {@link BarBulkWriter.commit}, and a failed or aborted writer leaves the store as it was.
 * Upsert semantics as in `writeBars`; a later bar at the same (symbol, time) wins.
 */
export interface BarBulkWriter {
  /**
   * Adds the first `n` bars of `columns` for `symbol` (any case; stored upper case). Every bar
   * is validated first: a bad one throws `InvalidBarError` (a bad provenance code
   * `InvalidArgumentError`) and nothing of this call is added. `validated` skips the bar check
   * for callers that have just validated each bar themselves (the importers, which must name
   * the file line of a bad one); provenance codes are checked either way.
   */
  append(symbol: string, columns: BarColumns, n: number, validated?: boolean): void;
  /** Bars appended so far. */
  readonly rows: number;
  /** Writes everything appended, atomically; resolves to the number of bars written. */
  commit(): Promise<number>;
  /** Drops everything appended. Safe to call after a commit or twice. */
  abort(): Promise<void>;
}

/** A store with a native bulk path (`DuckDbBarStore`, `MemoryBarStore`). */
export interface BulkWritableBarStore extends BarStore {
  bulkWriter(): Promise<BarBulkWriter>;
}

/** Whether the store offers its own {@link BarBulkWriter}. */
export function isBulkWritable(store: BarStore): store is BulkWritableBarStore {
  return typeof (store as Partial<BulkWritableBarStore>).bulkWriter === "function";
}

/**
 * Throws `InvalidBarError` for the first bad bar among the first `n` of `columns`
 * (`InvalidArgumentError` for a bad provenance code). One scratch object is reused, so
 * validating millions of rows allocates nothing.
 */
export function validateColumns(symbol: string, columns: BarColumns, n: number): void {
  checkSymbol(symbol);
  if (columns.provenance !== undefined) checkProvenanceCodes(symbol, columns.provenance, n);
  const bar = { time: 0, open: 0, high: 0, low: 0, close: 0, volume: 0 };
  for (let i = 0; i < n; i++) {
    bar.time = columns.time[i]!;
    bar.open = columns.open[i]!;
    bar.high = columns.high[i]!;
    bar.low = columns.low[i]!;
    bar.close = columns.close[i]!;
    bar.volume = columns.volume[i]!;
    const problem = barProblem(bar);
    if (problem !== undefined)
      throw new InvalidBarError(symbol, bar, problem.field, problem.reason);
  }
}

/**
 * The checks of {@link BarBulkWriter.append}, shared by every writer: the whole
 * {@link validateColumns} unless `validated`, else only the symbol and the provenance codes.
 */
export function checkAppend(
  symbol: string,
  columns: BarColumns,
  n: number,
  validated: boolean,
): void {
  if (validated) {
    checkSymbol(symbol);
    if (columns.provenance !== undefined) checkProvenanceCodes(symbol, columns.provenance, n);
  } else validateColumns(symbol, columns, n);
}

/** What {@link writeInput} makes of a `writeBars` call: the stored name and the bars as columns. */
export interface WriteInput {
  /** The symbol as stored (upper case). */
  readonly name: string;
  readonly columns: BarColumns;
  /** The number of bars. */
  readonly n: number;
}

/**
 * A `writeBars` call's symbol, bars and options as one bulk append: the symbol checked and upper
 * case, the provenance checked, and the bars copied into columns (the store's own writer then
 * validates them). Shared by the adapters whose `writeBars` is one bulk write.
 */
export function writeInput(
  symbol: string,
  bars: readonly Bar[],
  options: WriteOptions | undefined,
): WriteInput {
  const name = normalizeSymbol(symbol);
  const code = provenanceCodeOf(options);
  const n = bars.length;
  const columns = {
    time: new Float64Array(n),
    open: new Float64Array(n),
    high: new Float64Array(n),
    low: new Float64Array(n),
    close: new Float64Array(n),
    volume: new Float64Array(n),
    ...(code === 0 ? {} : { provenance: new Uint8Array(n).fill(code) }),
  };
  for (let i = 0; i < n; i++) {
    const b = bars[i]!;
    // Non-numbers become NaN here and are refused by validation with the field named.
    columns.time[i] = typeof b?.time === "number" ? b.time : Number.NaN;
    columns.open[i] = typeof b?.open === "number" ? b.open : Number.NaN;
    columns.high[i] = typeof b?.high === "number" ? b.high : Number.NaN;
    columns.low[i] = typeof b?.low === "number" ? b.low : Number.NaN;
    columns.close[i] = typeof b?.close === "number" ? b.close : Number.NaN;
    columns.volume[i] = typeof b?.volume === "number" ? b.volume : Number.NaN;
  }
  return { name, columns, n };
}

/** The bars of `columns` as objects (for adapters without a columnar path). */
export function barsOfColumns(columns: BarColumns, n: number): Bar[] {
  const out: Bar[] = new Array(n);
  for (let i = 0; i < n; i++) {
    out[i] = {
      time: columns.time[i]!,
      open: columns.open[i]!,
      high: columns.high[i]!,
      low: columns.low[i]!,
      close: columns.close[i]!,
      volume: columns.volume[i]!,
    };
  }
  return out;
}

/** Bars of one symbol with one provenance code, in the order they were appended. */
interface Run {
  code: number;
  bars: Bar[];
}

/**
 * Buffers bars as objects and writes each symbol with one `writeBars` call per run of one
 * provenance on commit: atomic for one symbol and provenance, and for more as far as the store's
 * `writeBars` cannot fail after validation.
 */
class BufferingBulkWriter implements BarBulkWriter {
  readonly #store: BarStore;
  #pending = new Map<string, Run[]>();
  #rows = 0;

  constructor(store: BarStore) {
    this.#store = store;
  }

  get rows(): number {
    return this.#rows;
  }

  append(symbol: string, columns: BarColumns, n: number, validated = false): void {
    checkAppend(symbol, columns, n, validated);
    const key = symbol.toUpperCase();
    const runs = this.#pending.get(key) ?? [];
    const bars = barsOfColumns(columns, n);
    for (let i = 0; i < n; i++) {
      const code = columns.provenance?.[i] ?? 0;
      let run = runs[runs.length - 1];
      if (run === undefined || run.code !== code) {
        run = { code, bars: [] };
        runs.push(run);
      }
      run.bars.push(bars[i]!);
    }
    this.#pending.set(key, runs);
    this.#rows += n;
  }

  async commit(): Promise<number> {
    const pending = this.#pending;
    this.#pending = new Map();
    for (const [symbol, runs] of pending) {
      for (const { code, bars } of runs) {
        const provenance = PROVENANCES[code - 1];
        await this.#store.writeBars(symbol, bars, provenance === undefined ? {} : { provenance });
      }
    }
    const rows = this.#rows;
    this.#rows = 0;
    return rows;
  }

  async abort(): Promise<void> {
    this.#pending = new Map();
    this.#rows = 0;
  }
}

/**
 * The store's native bulk writer, or one that buffers bars and calls `writeBars` per symbol.
 *
 * @example
 * ```ts
 * const writer = await openBulkWriter(store);
 * try {
 *   writer.append("AAPL", columns, n);
 *   await writer.commit();
 * } catch (error) {
 *   await writer.abort();
 *   throw error;
 * }
 * ```
 */
export async function openBulkWriter(store: BarStore): Promise<BarBulkWriter> {
  return isBulkWritable(store) ? store.bulkWriter() : new BufferingBulkWriter(store);
}
