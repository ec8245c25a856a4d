import { ImportError } from "../../domain/errors.js";
import type { BarBulkWriter, BarColumns } from "../bulk-writer.js";

/** The six numeric columns an import fills (imported rows carry no provenance). */
type BarField = Exclude<keyof BarColumns, "provenance">;

import { MinuteSet } from "./minute-set.js";
import { widenDecimals } from "./price-decimals.js";
import type { RowRules } from "./row-rules.js";

/** A line an import left out under `skipInvalid`, and why. */
export interface SkippedLine {
  readonly file: string;
  /** 1-based line number in the file (the row number for Parquet). */
  readonly line: number;
  /** The offending field, when one is to blame. */
  readonly field: string | undefined;
  readonly reason: string;
}

/** What one file's rows made of one symbol. */
export interface SymbolRows {
  /** Upper case. */
  readonly symbol: string;
  /** Rows accepted. */
  readonly rows: number;
  /** Distinct minutes among them: the bars they store (a repeated time keeps its last row). */
  readonly bars: number;
  /** Rows earlier than a row before them (stored at their time all the same). */
  readonly outOfOrder: number;
  /** The most decimals a price needed (see `price-decimals.ts`). */
  readonly priceDecimals: number;
}

/** The hint a refused row's message ends with. */
export const SKIP_HINT = "(--skip-invalid imports the other rows and lists the bad ones)";

/** Rows of one symbol a block holds at most before it goes to the writer. */
const BLOCK = 16_384;
/** Rows all blocks together hold before every block goes to the writer (bounds memory). */
const BUFFERED = 1 << 18;

class SymbolBlock implements SymbolRows {
  readonly symbol: string;
  rows = 0;
  outOfOrder = 0;
  priceDecimals = 0;
  latest = Number.NEGATIVE_INFINITY;
  readonly minutes = new MinuteSet();
  n = 0;
  cols: { -readonly [K in BarField]: Float64Array };

  constructor(symbol: string) {
    this.symbol = symbol;
    this.cols = SymbolBlock.#columns(1024);
  }

  get bars(): number {
    return this.minutes.size;
  }

  static #columns(size: number): SymbolBlock["cols"] {
    return {
      time: new Float64Array(size),
      open: new Float64Array(size),
      high: new Float64Array(size),
      low: new Float64Array(size),
      close: new Float64Array(size),
      volume: new Float64Array(size),
    };
  }

  /** Makes room for one more row; false when the block is full (it must be flushed). */
  room(): boolean {
    const size = this.cols.time.length;
    if (this.n < size) return true;
    if (size >= BLOCK) return false;
    const next = SymbolBlock.#columns(size * 2);
    for (const k of Object.keys(next) as BarField[]) next[k].set(this.cols[k]);
    this.cols = next;
    return true;
  }
}

const noText = (): string => "";

/**
 * Collects the parsed rows of one file into per-symbol column blocks and hands them to a bulk
 * writer. It is the seam between the readers (which parse text or Parquet) and the rules: every
 * row goes through {@link RowRules}, and a bad row is refused with an {@link ImportError} naming
 * file, line, field and value, or, with `skipInvalid`, recorded. Symbols are upper-cased here,
 * each symbol's distinct minutes and price precision are tracked here.
 */
export class ImportSink {
  readonly #writer: BarBulkWriter;
  #file: string;
  readonly #skipInvalid: boolean;
  readonly #rules: RowRules;
  readonly skipped: SkippedLine[] = [];
  readonly #blocks = new Map<string, SymbolBlock>();
  /** The block of the symbol of the row before (rows of one symbol come in runs). */
  #last: SymbolBlock | undefined;
  #lastName: string | undefined;
  #buffered = 0;
  #timeText: () => string = noText;

  constructor(writer: BarBulkWriter, file: string, skipInvalid: boolean, rules: RowRules) {
    this.#writer = writer;
    this.#file = file;
    this.#skipInvalid = skipInvalid;
    this.#rules = rules;
  }

  /** Names the source that later rows come from (a zip entry: `file.zip:entry.csv`). */
  setSource(file: string): void {
    this.#file = file;
  }

  /** The current source, as errors name it. */
  get source(): string {
    return this.#file;
  }

  /**
   * Sets how to get the current row's time as the file wrote it, for a refusal to quote (the
   * reader keeps the row's bounds; nothing is sliced unless a row is refused).
   */
  setTimeText(text: () => string): void {
    this.#timeText = text;
  }

  /** Rows accepted so far. */
  get rows(): number {
    let n = 0;
    for (const b of this.#blocks.values()) n += b.rows;
    return n;
  }

  /** The symbols written so far (upper case, in the order first seen). */
  get symbols(): string[] {
    return [...this.#blocks.keys()];
  }

  /** Per symbol: rows, bars, order and precision, sorted by symbol. */
  symbolRows(): SymbolRows[] {
    return [...this.#blocks.values()]
      .map(({ symbol, rows, bars, outOfOrder, priceDecimals }) => ({
        symbol,
        rows,
        bars,
        outOfOrder,
        priceDecimals,
      }))
      .sort((a, b) => (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0));
  }

  /** Reports a row that could not be read; throws unless invalid rows are skipped. */
  reject(line: number, field: string | undefined, reason: string): void {
    if (!this.#skipInvalid)
      throw new ImportError(this.#file, line, field, `${reason} ${SKIP_HINT}`);
    this.skipped.push({ file: this.#file, line, field, reason });
  }

  /** Adds one parsed row, checking it against the rules first. */
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
    const problem = this.#rules.problem(time, open, high, low, close, volume, this.#timeText);
    if (problem !== undefined) {
      this.reject(line, problem.field, problem.reason);
      return;
    }
    let b = this.#last;
    if (symbol !== this.#lastName || b === undefined) b = this.#block(symbol);
    if (!b.room()) {
      this.#flushBlock(b);
      b.room();
    }
    b.rows++;
    if (time <= b.latest) {
      if (time < b.latest) b.outOfOrder++;
    } else b.latest = time;
    b.minutes.add(time);
    let d = b.priceDecimals;
    d = widenDecimals(d, open);
    d = widenDecimals(d, high);
    d = widenDecimals(d, low);
    b.priceDecimals = widenDecimals(d, close);
    const c = b.cols;
    const i = b.n++;
    c.time[i] = time;
    c.open[i] = open;
    c.high[i] = high;
    c.low[i] = low;
    c.close[i] = close;
    c.volume[i] = volume;
    if (++this.#buffered >= BUFFERED) this.flush();
  }

  #block(symbol: string): SymbolBlock {
    const name = symbol.toUpperCase();
    let b = this.#blocks.get(name);
    if (b === undefined) {
      b = new SymbolBlock(name);
      this.#blocks.set(name, b);
    }
    this.#last = b;
    this.#lastName = symbol;
    return b;
  }

  #flushBlock(b: SymbolBlock): void {
    if (b.n === 0) return;
    this.#writer.append(b.symbol, b.cols, b.n, true);
    this.#buffered -= b.n;
    b.n = 0;
  }

  /** Hands the rows collected so far to the writer. */
  flush(): void {
    for (const b of this.#blocks.values()) this.#flushBlock(b);
  }
}
