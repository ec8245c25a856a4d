import { existsSync } from "node:fs";
import type { Command } from "commander";
import { ImportError, InvalidArgumentError } from "../../domain/errors.js";
import {
  checkImportOptions,
  DuckDbBarStore,
  type FileImport,
  type ImportFormat,
  type ImportOptions,
  importFile,
  type SkippedLine,
} from "../../history/public.js";
import { numberOption, resolveDbPath } from "../options.js";
import { progressBar } from "../progress.js";

/** The options of `sessiondata import`, as commander parses them. */
export interface ImportCommandOptions {
  readonly format?: string;
  readonly symbol?: string;
  readonly columns?: string;
  readonly tz?: string;
  readonly stamp?: string;
  readonly priceScale?: string;
  readonly skipInvalid?: boolean;
  readonly delimiter?: string;
  readonly db?: string;
  readonly json?: boolean;
}

/** What `sessiondata import --json` prints. */
export interface ImportCommandResult {
  readonly db: string;
  readonly symbols: string[];
  readonly rows: number;
  readonly files: FileImport[];
  readonly skipped: SkippedLine[];
  readonly warnings: string[];
}

/** Files smaller than this import without a progress bar. */
const PROGRESS_BYTES = 8 << 20;

/**
 * `sessiondata import <paths…>`: imports each file or folder into the store, one transaction per
 * file, with a progress bar on stderr for large files. Skipped lines and warnings go to stderr.
 */
export async function runImport(
  paths: readonly string[],
  options: ImportCommandOptions,
): Promise<ImportCommandResult> {
  if (paths.length === 0)
    throw new InvalidArgumentError("name at least one file or folder to import");
  const priceScale = numberOption("--price-scale", options.priceScale);
  const delimiter =
    options.delimiter === "\\t" || options.delimiter === "tab" ? "\t" : options.delimiter;
  const bar = progressBar("bytes", PROGRESS_BYTES);
  /** Every file committed so far, also those of a folder a later file of which fails. */
  const committed: FileImport[] = [];
  const base: ImportOptions = {
    ...(options.format === undefined ? {} : { format: options.format as ImportFormat }),
    ...(options.symbol === undefined ? {} : { symbol: options.symbol }),
    ...(options.columns === undefined ? {} : { columns: options.columns }),
    ...(options.tz === undefined ? {} : { tz: options.tz }),
    ...(options.stamp === undefined ? {} : { stamp: options.stamp as "start" | "end" }),
    ...(priceScale === undefined ? {} : { priceScale }),
    ...(delimiter === undefined ? {} : { delimiter }),
    skipInvalid: options.skipInvalid === true,
    onProgress: ({ file, done, total }) => bar.update(done, total, file.split(/[\\/]/).pop()),
    onFile: (file) => committed.push(file),
  };
  // Refuse bad flags and missing paths before the database is opened (or created empty).
  checkImportOptions(base);
  for (const path of paths) {
    if (!existsSync(path)) throw new ImportError(path, 0, undefined, "does not exist");
  }
  const db = resolveDbPath(options.db);
  const store = await DuckDbBarStore.open(db);
  const result: ImportCommandResult = {
    db,
    symbols: [],
    rows: 0,
    files: [],
    skipped: [],
    warnings: [],
  };
  try {
    for (const path of paths) {
      const r = await importFile(store, path, base);
      bar.stop();
      result.files.push(...r.files);
      result.skipped.push(...r.skipped);
      result.warnings.push(...r.warnings);
      (result as { rows: number }).rows += r.rows;
      for (const s of r.symbols) if (!result.symbols.includes(s)) result.symbols.push(s);
    }
  } catch (error) {
    // Each file is its own transaction: say which ones the failure left committed.
    if (committed.length > 0) {
      const n = committed.length;
      const rows = committed.reduce((sum, f) => sum + f.rows, 0);
      process.stderr.write(
        `sessiondata: ${n} file${n === 1 ? "" : "s"} imported before the error stay in ${db} (${rows.toLocaleString("en-US")} bar${rows === 1 ? "" : "s"}): ${committed.map((f) => f.file).join(", ")}\n`,
      );
    }
    throw error;
  } finally {
    bar.stop();
    await store.close();
  }
  result.symbols.sort();
  for (const s of result.skipped) {
    process.stderr.write(
      `skipped ${s.file}:${s.line}: ${s.field === undefined ? "" : `${s.field} `}${s.reason}\n`,
    );
  }
  for (const w of result.warnings) process.stderr.write(`warning: ${w}\n`);
  if (options.json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } else {
    for (const f of result.files) {
      process.stdout.write(
        `${f.file}: ${f.rows.toLocaleString("en-US")} bars of ${f.symbols.join(", ")} (${f.format})` +
          `${f.skipped > 0 ? `, ${f.skipped} lines skipped` : ""}\n`,
      );
    }
    process.stdout.write(
      `imported ${result.rows.toLocaleString("en-US")} bars of ${result.symbols.length} symbol${result.symbols.length === 1 ? "" : "s"} into ${db}\n`,
    );
  }
  return result;
}

/** Registers `sessiondata import`. */
export function registerImport(program: Command): void {
  program
    .command("import")
    .description(
      "import bar files (CSV, LEAN zips, Binance klines, Parquet) or folders into the store",
    )
    .argument("<paths...>", "files or folders (every .csv, .zip and .parquet inside)")
    .option("--format <format>", "csv, lean, binance or parquet (default: detected)")
    .option("--symbol <symbol>", "the symbol (default: from the file or folder name)")
    .option(
      "--columns <list>",
      "column roles by position, e.g. time,open,high,low,close,volume (_ skips)",
    )
    .option("--tz <zone>", "IANA zone of timestamps without an offset (default: UTC)")
    .option("--stamp <start|end>", "whether times mark the bar's start or its end", "start")
    .option("--price-scale <n>", "divide prices by n (default: 10000 for LEAN, else 1)")
    .option("--delimiter <char>", "CSV delimiter (default: detected; \\t or tab for a tab)")
    .option(
      "--skip-invalid",
      "write the valid rows and list the bad lines instead of refusing the file",
    )
    .option("--db <path>", "DuckDB file (default: $SESSIONDATA_DB or ./sessiondata.duckdb)")
    .option("--json", "print only the result as JSON on stdout")
    .action(async (paths: string[], options: ImportCommandOptions) => {
      await runImport(paths, options);
    });
}
