import type { Command } from "commander";
import { InvalidArgumentError } from "../../domain/errors.js";
import {
  type CorporateImportResult,
  checkImportOptions,
  type FileImport,
  type ImportFormat,
  ImportInterruptedError,
  type ImportOptions,
  importFiles,
  planFiles,
  type SkippedLine,
} from "../../history/public.js";
import { numberOption } from "../options.js";
import { progressBar } from "../progress.js";
import {
  DB_OPTION,
  DUCKDB_MEMORY_LIMIT_OPTION,
  DUCKDB_THREADS_OPTION,
  openCommandStore,
  PG_OPTION,
} from "../store-options.js";
import {
  type CorporateImportFlags,
  corporateFiles,
  hasCorporateFlags,
  importCorporate,
} from "./import-corporate.js";

/** The options of `sessiondata import`, as commander parses them. */
export interface ImportCommandOptions extends CorporateImportFlags {
  readonly format?: string;
  readonly symbol?: string;
  readonly calendar?: string;
  readonly columns?: string;
  readonly tz?: string;
  readonly stamp?: string;
  readonly priceScale?: string;
  readonly skipInvalid?: boolean;
  readonly delimiter?: string;
  readonly maxLineBytes?: string;
  readonly allowNonpositivePrices?: boolean;
  readonly allowAnyTime?: boolean;
  readonly db?: string;
  readonly pg?: string;
  readonly json?: boolean;
}

/** What `sessiondata import --json` prints. */
export interface ImportCommandResult {
  readonly db: string;
  readonly symbols: string[];
  /** Rows accepted, over all files. */
  readonly rows: number;
  /** The bars they make (each file's distinct symbol-minutes; a repeated time keeps its last row). */
  readonly bars: number;
  readonly files: FileImport[];
  readonly skipped: SkippedLine[];
  readonly warnings: string[];
  /** Set when Ctrl-C or SIGTERM stopped the import (exit code 130). */
  readonly interrupted?: true;
  /** With `interrupted`: the files not imported (the one in flight first, rolled back). */
  readonly notImported?: string[];
  /** The corporate actions imported (flags, or LEAN's folders beside `minute/`), if any. */
  readonly corporate?: CorporateImportResult;
}

/** Files smaller than this import without a progress bar. */
const PROGRESS_BYTES = 8 << 20;

const count = (n: number, word: string): string =>
  `${n.toLocaleString("en-US")} ${word}${n === 1 ? "" : "s"}`;

/** "3 rows, 2 bars (1 repeated time, the last kept)". */
export function rowsAndBars(rows: number, bars: number): string {
  const repeated = rows - bars;
  return `${count(rows, "row")}, ${count(bars, "bar")}${repeated > 0 ? ` (${count(repeated, "repeated time")}, the last kept)` : ""}`;
}

function fileLine(f: FileImport): string {
  return (
    `${f.file}: ${rowsAndBars(f.rows, f.bars)} of ${f.symbols.join(", ")} (${f.format})` +
    `${f.skipped > 0 ? `, ${count(f.skipped, "line")} skipped` : ""}\n`
  );
}

/**
 * Turns Ctrl-C and SIGTERM into an abort of the import while `work` runs: the file in flight
 * finishes or rolls back; a second signal stops at once (the file in flight is never committed).
 */
async function abortOnSignals<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals): void => {
    if (controller.signal.aborted) {
      process.stderr.write(`sessiondata: ${name} again: stopped at once\n`);
      process.exit(130);
    }
    process.stderr.write(
      `sessiondata: ${name}: finishing or rolling back the file in flight (${name} again stops at once)…\n`,
    );
    controller.abort(name);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    return await work(controller.signal);
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

/**
 * `sessiondata import <paths…>`: imports each file or folder into the store, one transaction per
 * file, with a progress bar on stderr for large files. Every file is checked before the store is
 * opened. Each committed file is listed as it commits; skipped lines and warnings go to stderr.
 * Ctrl-C or SIGTERM stops after the file in flight is rolled back, lists what is committed and
 * what is not, and exits with 130.
 */
export async function runImport(
  paths: readonly string[],
  options: ImportCommandOptions,
): Promise<ImportCommandResult> {
  if (paths.length === 0 && !hasCorporateFlags(options))
    throw new InvalidArgumentError("name at least one file or folder to import");
  const priceScale = numberOption("--price-scale", options.priceScale);
  const maxLineBytes = numberOption("--max-line-bytes", options.maxLineBytes);
  const delimiter =
    options.delimiter === "\\t" || options.delimiter === "tab" ? "\t" : options.delimiter;
  const bar = progressBar("bytes", PROGRESS_BYTES);
  /** Every file committed so far, also those of a folder a later file of which fails. */
  const committed: FileImport[] = [];
  const base: ImportOptions = {
    ...(options.format === undefined ? {} : { format: options.format as ImportFormat }),
    ...(options.symbol === undefined ? {} : { symbol: options.symbol }),
    ...(options.calendar === undefined ? {} : { calendar: options.calendar }),
    ...(options.columns === undefined ? {} : { columns: options.columns }),
    ...(options.tz === undefined ? {} : { tz: options.tz }),
    ...(options.stamp === undefined ? {} : { stamp: options.stamp as "start" | "end" }),
    ...(priceScale === undefined ? {} : { priceScale }),
    ...(maxLineBytes === undefined ? {} : { maxLineBytes }),
    ...(delimiter === undefined ? {} : { delimiter }),
    skipInvalid: options.skipInvalid === true,
    allowNonpositivePrices: options.allowNonpositivePrices === true,
    allowAnyTime: options.allowAnyTime === true,
    onProgress: ({ file, done, total }) => bar.update(done, total, file.split(/[\\/]/).pop()),
    onFile: (file) => {
      committed.push(file);
      bar.stop();
      if (!options.json) process.stdout.write(fileLine(file));
    },
  };
  // Refuse bad flags, missing paths and files the import would refuse before the database is
  // opened (or created empty).
  checkImportOptions(base);
  const plan = paths.length === 0 ? { files: [], warnings: [] } : await planFiles(paths, base);
  const corporate = await corporateFiles(paths, options, undefined);
  const { store, location: db } = await openCommandStore(options, "write");
  let result: ImportCommandResult;
  try {
    const r = await abortOnSignals((signal) => importFiles(store, plan, { ...base, signal }));
    result = { db, ...r };
    if (corporate !== undefined) {
      result = { ...result, corporate: await importCorporate(store, corporate, options.json) };
    }
  } catch (error) {
    bar.stop();
    if (error instanceof ImportInterruptedError) {
      result = {
        db,
        ...error.result,
        interrupted: true,
        notImported: [
          ...(error.rolledBack === undefined ? [] : [error.rolledBack]),
          ...error.notStarted,
        ],
      };
      reportInterrupted(result, error);
    } else {
      // Each file is its own transaction: say which ones the failure left committed.
      if (committed.length > 0) {
        const n = committed.length;
        const bars = committed.reduce((sum, f) => sum + f.bars, 0);
        process.stderr.write(
          `sessiondata: ${count(n, "file")} imported before the error stay in ${db} (${count(bars, "bar")}): ${committed.map((f) => f.file).join(", ")}\n`,
        );
      }
      throw error;
    }
  } finally {
    bar.stop();
    await store.close();
  }
  for (const s of result.skipped) {
    process.stderr.write(
      `skipped ${s.file}:${s.line}: ${s.field === undefined ? "" : `${s.field} `}${s.reason}\n`,
    );
  }
  for (const w of result.warnings) process.stderr.write(`warning: ${w}\n`);
  if (options.json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } else if (result.interrupted === undefined) {
    const n = result.symbols.length;
    process.stdout.write(
      `imported ${rowsAndBars(result.rows, result.bars)} of ${count(n, "symbol")} into ${db}\n`,
    );
  }
  if (result.interrupted) process.exitCode = 130;
  return result;
}

function reportInterrupted(result: ImportCommandResult, error: ImportInterruptedError): void {
  const files = result.files;
  process.stderr.write(
    `sessiondata: import interrupted: ${count(files.length, "file")} committed to ${result.db}` +
      `${files.length === 0 ? "" : ` (${rowsAndBars(result.rows, result.bars)}): ${files.map((f) => f.file).join(", ")}`}\n`,
  );
  const pending = [
    ...(error.rolledBack === undefined ? [] : [`${error.rolledBack} (rolled back)`]),
    ...error.notStarted,
  ];
  if (pending.length > 0) {
    process.stderr.write(
      `sessiondata: not imported: ${pending.join(", ")}; run the same import again to complete it\n`,
    );
  }
}

/** Registers `sessiondata import`. */
export function registerImport(program: Command): void {
  program
    .command("import")
    .description(
      "import bar files (CSV, LEAN zips, Binance klines, Parquet) or folders into the store",
    )
    .argument("[paths...]", "files or folders (every .csv, .zip and .parquet inside)")
    .option(
      "--format <format>",
      "csv, lean, binance or parquet (default: detected from the content)",
    )
    .option(
      "--symbol <symbol>",
      "the symbol, any case, stored upper case (default: from a symbol column or the file name)",
    )
    .option(
      "--columns <list>",
      "column roles by position, e.g. time,open,high,low,close,volume (symbol, date; _ skips)",
    )
    .option(
      "--calendar <name>",
      "the symbols' calendar, stored with them and used by every command (default: detected; XNYS)",
    )
    .option("--tz <zone>", "IANA zone of timestamps without an offset (default: UTC)")
    .option("--stamp <start|end>", "whether times mark the bar's start or its end", "start")
    .option("--price-scale <n>", "divide prices by n (default: 10000 for LEAN, else 1)")
    .option("--delimiter <char>", "CSV delimiter (default: detected; \\t or tab for a tab)")
    .option(
      "--skip-invalid",
      "write the valid rows and list the bad lines instead of refusing the file",
    )
    .option("--max-line-bytes <n>", "refuse lines longer than n bytes (default: 1048576)")
    .option(
      "--allow-nonpositive-prices",
      "accept zero and negative prices (spreads, contracts that trade below zero)",
    )
    .option("--allow-any-time", "accept bar times before 1971 or after tomorrow")
    .option("--factor-files <dir>", "LEAN factor files (default: factor_files beside minute/)")
    .option("--map-files <dir>", "LEAN map files (default: map_files beside minute/)")
    .option("--corporate-actions <file>", "CSV date,symbol,split_ratio,dividend (LEAN's factors)")
    .option(...DB_OPTION)
    .option(...DUCKDB_MEMORY_LIMIT_OPTION)
    .option(...DUCKDB_THREADS_OPTION)
    .option(...PG_OPTION)
    .option("--json", "print only the result as JSON on stdout")
    .addHelpText(
      "after",
      "\nSymbols are case-insensitive and stored upper case. Each file is one transaction: Ctrl-C\nrolls back the file in flight, lists what is committed, and exits with 130.",
    )
    .action(async (paths: string[], options: ImportCommandOptions) => {
      await runImport(paths, options);
    });
}
