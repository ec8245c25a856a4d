/** The options, results and refusals of an import (see `import-file.ts`). */
import { calendarByName } from "../../calendar/calendar-names.js";
import { InvalidArgumentError, SessiondataError } from "../../domain/errors.js";
import { checkSymbol } from "../bulk-writer.js";
import { type ColumnRole, parseColumnRoles } from "./delimited.js";
import type { SkippedLine } from "./import-sink.js";
import { DEFAULT_MAX_LINE_BYTES, RowRules } from "./row-rules.js";
import { checkTimeZone } from "./timestamps.js";

/** The file formats `importFile` reads. */
export type ImportFormat = "csv" | "lean" | "binance" | "parquet";

const FORMATS: readonly string[] = ["auto", "csv", "lean", "binance", "parquet"];

/** Where an import stands, for progress bars. */
export interface ImportProgress {
  readonly file: string;
  /** Bytes (rows for Parquet) read of this file so far, and in all. */
  readonly done: number;
  readonly total: number;
}

/** Options of {@link importFile}; they mirror `sessiondata import`'s flags. */
export interface ImportOptions {
  /**
   * The format; detected from the content (magic bytes, the first rows) and the name when
   * absent or `"auto"`. A declared format the content contradicts is refused before anything
   * is written.
   */
  readonly format?: ImportFormat | "auto";
  /**
   * The symbol of the bars (any case; stored upper case); from the file or folder name, or a
   * symbol column, when absent. Over files that name different symbols, or a file whose symbol
   * column holds several, it is an error: they would all be stored as one.
   */
  readonly symbol?: string;
  /** Column roles by position, e.g. `"time,open,high,low,close,volume"` (`_` skips one). */
  readonly columns?: string | readonly string[];
  /** IANA zone of timestamps without an offset (default UTC; never the host's zone). */
  readonly tz?: string;
  /** Whether the file stamps a bar with its start (default) or its end (converted to the start). */
  readonly stamp?: "start" | "end";
  /** Prices are divided by this (default 10,000 for LEAN, else 1). */
  readonly priceScale?: number;
  /** Write the valid rows and list the bad ones, instead of refusing the file. */
  readonly skipInvalid?: boolean;
  /** The CSV delimiter (detected when absent). */
  readonly delimiter?: string;
  /** The longest line a text file may have (default 1 MiB); a longer one is a bad row. */
  readonly maxLineBytes?: number;
  /** Accept zero and negative prices (spreads, contracts that trade below zero). */
  readonly allowNonpositivePrices?: boolean;
  /**
   * The calendar stored with every imported symbol (`calendarByName` names); detected per symbol
   * when absent (`detectCalendar`: Binance and crypto pairs 24/7, FX 24/5, CME futures GLBX,
   * exchange suffixes, US tickers XNYS), else XNYS.
   */
  readonly calendar?: string;
  /** Accept bar times before 1971 and after tomorrow (refused by default: a wrong unit or format). */
  readonly allowAnyTime?: boolean;
  /** The current instant in epoch ms, which "tomorrow" is relative to (default `Date.now()`). */
  readonly now?: number;
  /**
   * Stops the import: the file in flight is rolled back (or, when its rows are all read,
   * committed), and the import rejects with an {@link ImportInterruptedError} that lists what
   * is committed and what is not.
   */
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: ImportProgress) => void;
  /** Called as each file is committed (a later file's failure leaves these in the store). */
  readonly onFile?: (file: FileImport) => void;
}

/** One file's share of an import. */
export interface FileImport {
  readonly file: string;
  readonly format: ImportFormat;
  /** Upper case, sorted. */
  readonly symbols: string[];
  /** Rows read and accepted. */
  readonly rows: number;
  /** The bars they make: distinct (symbol, minute) pairs (a repeated time keeps its last row). */
  readonly bars: number;
  /** Lines left out under `skipInvalid`. */
  readonly skipped: number;
  /** False when the file had no volume column (its bars got volume 0). */
  readonly volume: boolean;
}

/** What {@link importFile} wrote. */
export interface ImportResult {
  /** Every symbol written, upper case, sorted. */
  readonly symbols: string[];
  /** Rows accepted, over all files. */
  readonly rows: number;
  /** Bars those rows make: each file's distinct (symbol, minute) pairs, summed over the files. */
  readonly bars: number;
  /** Each line left out under `skipInvalid`. */
  readonly skipped: SkippedLine[];
  readonly files: FileImport[];
  /** Things the user should know (e.g. a file without volume). */
  readonly warnings: string[];
}

/**
 * An import stopped by its `signal`. `result` holds the files committed before it stopped (they
 * stay in the store); `rolledBack` is the file that was in flight, if any (nothing of it was
 * written); `notStarted` the files never begun. Importing the same paths again completes it.
 */
export class ImportInterruptedError extends SessiondataError {
  readonly result: ImportResult;
  readonly rolledBack: string | undefined;
  readonly notStarted: readonly string[];

  constructor(result: ImportResult, rolledBack: string | undefined, notStarted: readonly string[]) {
    const n = result.files.length;
    super(
      `import interrupted: ${n} file${n === 1 ? "" : "s"} committed` +
        `${rolledBack === undefined ? "" : `, ${rolledBack} rolled back`}` +
        `${notStarted.length === 0 ? "" : `, ${notStarted.length} not started`}`,
    );
    this.result = result;
    this.rolledBack = rolledBack;
    this.notStarted = notStarted;
  }
}

/** The options of one import, checked and resolved. */
export interface Settings {
  readonly options: ImportOptions;
  /** `options.symbol` upper-cased. */
  readonly symbol: string | undefined;
  /** `options.format`, `undefined` for detected. */
  readonly format: ImportFormat | undefined;
  readonly columns: ColumnRole[] | undefined;
  readonly timeShift: number;
  readonly maxLineBytes: number;
  readonly rules: RowRules;
}

/** Checks and resolves {@link ImportOptions}; throws `InvalidArgumentError` (or `ImportError` for `columns`). */
export function settingsOf(options: ImportOptions): Settings {
  if (options.tz !== undefined) checkTimeZone(options.tz);
  if (options.symbol !== undefined) checkSymbol(options.symbol);
  if (options.calendar !== undefined) calendarByName(options.calendar);
  if (options.stamp !== undefined && options.stamp !== "start" && options.stamp !== "end") {
    throw new InvalidArgumentError(`stamp ${JSON.stringify(options.stamp)} is not start or end`);
  }
  const scale = options.priceScale;
  if (scale !== undefined && !(Number.isFinite(scale) && scale > 0)) {
    throw new InvalidArgumentError(`price scale ${scale} is not a positive number`);
  }
  if (options.delimiter !== undefined && options.delimiter.length !== 1) {
    throw new InvalidArgumentError(
      `delimiter ${JSON.stringify(options.delimiter)} is not one character`,
    );
  }
  const format = options.format;
  if (format !== undefined && !FORMATS.includes(format)) {
    throw new InvalidArgumentError(
      `format ${JSON.stringify(format)} is not csv, lean, binance or parquet`,
    );
  }
  const maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  if (!Number.isSafeInteger(maxLineBytes) || maxLineBytes < 1) {
    throw new InvalidArgumentError(
      `max line bytes ${JSON.stringify(options.maxLineBytes)} is not a positive whole number`,
    );
  }
  if (options.now !== undefined && !Number.isFinite(options.now)) {
    throw new InvalidArgumentError(`now ${options.now} is not an epoch-ms instant`);
  }
  return {
    options,
    symbol: options.symbol?.toUpperCase(),
    format: format === undefined || format === "auto" ? undefined : format,
    columns: options.columns === undefined ? undefined : parseColumnRoles(options.columns),
    timeShift: options.stamp === "end" ? -60_000 : 0,
    maxLineBytes,
    rules: new RowRules(options),
  };
}

/**
 * Checks {@link importFile}'s options without reading or writing anything, so a command can
 * refuse a bad flag before it opens (or creates) a database. Throws `InvalidArgumentError` or
 * `ImportError` (for `columns`).
 */
export function checkImportOptions(options: ImportOptions): void {
  settingsOf(options);
}
