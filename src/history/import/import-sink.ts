import { barProblem } from "../../domain/bar.js";
import { ImportError } from "../../domain/errors.js";
import type { BarBulkWriter } from "../bulk-writer.js";

/** A line an import left out under `skipInvalid`, and why. */
export interface SkippedLine {
  readonly file: string;
  /** 1-based line number in the file (the row number for Parquet). */
  readonly line: number;
  /** The offending field, when one is to blame. */
  readonly field: string | undefined;
  readonly reason: string;
}

const BLOCK = 16_384;

/**
 * Collects the parsed rows of one file into column blocks and hands full blocks to a bulk
 * writer. Refuses a bad row with an {@link ImportError} naming file, line and field, or, with
 * `skipInvalid`, records it and goes on.
 */
export class ImportSink {
  readonly #writer: BarBulkWriter;
  #file: string;
  readonly #skipInvalid: boolean;
  readonly skipped: SkippedLine[] = [];
  readonly symbols = new Set<string>();
  #symbol: string | undefined;
  #latest = Number.NEGATIVE_INFINITY;
  /** Rows whose time is not after the row before (out of order, or repeating a time). */
  unordered = 0;
  #n = 0;
  #rows = 0;
  readonly #cols = {
    time: new Float64Array(BLOCK),
    open: new Float64Array(BLOCK),
    high: new Float64Array(BLOCK),
    low: new Float64Array(BLOCK),
    close: new Float64Array(BLOCK),
    volume: new Float64Array(BLOCK),
  };
  readonly #scratch = { time: 0, open: 0, high: 0, low: 0, close: 0, volume: 0 };

  constructor(writer: BarBulkWriter, file: string, skipInvalid: boolean) {
    this.#writer = writer;
    this.#file = file;
    this.#skipInvalid = skipInvalid;
  }

  /** Names the source that later rows come from (a zip entry: `file.zip:entry.csv`). */
  setSource(file: string): void {
    this.#file = file;
  }

  /** Rows accepted so far. */
  get rows(): number {
    return this.#rows + this.#n;
  }

  /** Reports a row that could not be read; throws unless invalid rows are skipped. */
  reject(line: number, field: string | undefined, reason: string): void {
    if (!this.#skipInvalid) throw new ImportError(this.#file, line, field, reason);
    this.skipped.push({ file: this.#file, line, field, reason });
  }

  /** Adds one parsed row, checking it is a valid bar first. */
  add(
    symbol: string,
    line: number,
    time: number,
    open: number,
    high: number,
    low: number,
    close: number,
    volume: number,
  ): void {
    const b = this.#scratch;
    b.time = time;
    b.open = open;
    b.high = high;
    b.low = low;
    b.close = close;
    b.volume = volume;
    const problem = barProblem(b);
    if (problem !== undefined) {
      this.reject(line, problem.field, problem.reason);
      return;
    }
    if (symbol !== this.#symbol) {
      this.flush();
      this.#symbol = symbol;
      this.symbols.add(symbol);
      this.#latest = Number.NEGATIVE_INFINITY;
    }
    if (time <= this.#latest) this.unordered++;
    else this.#latest = time;
    const c = this.#cols;
    const i = this.#n;
    c.time[i] = time;
    c.open[i] = open;
    c.high[i] = high;
    c.low[i] = low;
    c.close[i] = close;
    c.volume[i] = volume;
    if (++this.#n === BLOCK) this.flush();
  }

  /** Hands the rows collected so far to the writer. */
  flush(): void {
    if (this.#n === 0 || this.#symbol === undefined) return;
    this.#writer.append(this.#symbol, this.#cols, this.#n, true);
    this.#rows += this.#n;
    this.#n = 0;
  }
}
