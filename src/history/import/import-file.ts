/**
 * Imports bar files into a store: plan every file first (formats settled, contradictions and
 * `--symbol` conflicts refused before anything is written), then read and commit one file at
 * a time, each in its own transaction.
 */
import { ImportError } from "../../domain/errors.js";
import type { BarStore } from "../bar-store.js";
import { openBulkWriter } from "../bulk-writer.js";
import { importCsvWithDuckDb } from "./duckdb-csv-import.js";
import { importParquetWithDuckDb } from "./duckdb-parquet-import.js";
import { fastImportPath } from "./duckdb-staged-import.js";
import { symbolOfFileName } from "./import-names.js";
import {
  type FileImport,
  type ImportFormat,
  ImportInterruptedError,
  type ImportOptions,
  type ImportResult,
  settingsOf,
} from "./import-options.js";
import { type ImportPlan, planImport } from "./import-plan.js";
import { ImportSink, type SkippedLine, type SymbolRows } from "./import-sink.js";
import { ReadInterrupted, readPlannedFile } from "./read-file.js";
import { recordSymbolInfo } from "./record-symbol-info.js";

export { symbolOfFileName };

const plural = (n: number, word: string): string =>
  `${n.toLocaleString("en-US")} ${word}${n === 1 ? "" : "s"}`;

/**
 * Imports bar files into a store: each path is a file or a folder (every `.csv`, `.zip` and
 * `.parquet` file under it). Every file is sniffed before anything is written (a declared
 * `format` the content contradicts, UTF-16 text, `symbol` over files of several symbols are
 * refused), then each is written in one transaction: a bad row refuses the whole file (an
 * `ImportError` naming file, line, field and value) and a failure, an abort or a killed process
 * leaves nothing of it; files before it stay imported. With `skipInvalid` the valid rows are
 * written and each bad line is listed.
 *
 * @example
 * ```ts
 * const store = await DuckDbBarStore.open("sessiondata.duckdb");
 * const { rows, bars } = await importFiles(store, ["aapl.csv", "lean/minute/msft"]);
 * ```
 * `paths` may be a plan from {@link planFiles} (made with the same options), so a caller can
 * refuse bad files before it opens or creates the store.
 */
export async function importFiles(
  store: BarStore,
  paths: readonly string[] | ImportPlan,
  options: ImportOptions = {},
): Promise<ImportResult> {
  const settings = settingsOf(options);
  const { signal } = options;
  const plan = "files" in paths ? paths : await planImport(paths, settings);
  const done: FileImport[] = [];
  const skipped: SkippedLine[] = [];
  const warnings = [...plan.warnings];
  const symbols = new Set<string>();
  const result = (): ImportResult => ({
    symbols: [...symbols].sort(),
    rows: done.reduce((n, f) => n + f.rows, 0),
    bars: done.reduce((n, f) => n + f.bars, 0),
    skipped,
    files: done,
    warnings,
  });
  const rest = (k: number): string[] => plan.files.slice(k).map((f) => f.path);
  const beforeChunk = (): void => {
    if (signal?.aborted) throw new ReadInterrupted();
  };
  for (const [k, planned] of plan.files.entries()) {
    if (signal?.aborted) throw new ImportInterruptedError(result(), undefined, rest(k));
    const file = planned.path;
    let format: ImportFormat;
    let volume: boolean;
    let perSymbol: SymbolRows[];
    let fileSkipped: SkippedLine[] = [];
    try {
      const fast = await (planned.container === "parquet"
        ? importParquetWithDuckDb
        : importCsvWithDuckDb)(store, planned, settings, signal);
      fastImportPath.onOutcome?.(file, typeof fast === "string" ? fast : "imported");
      if (typeof fast !== "string") ({ format, volume, perSymbol } = fast);
      else {
        const slow = await parseAndWrite(store, planned, settings, beforeChunk);
        ({ format, volume, perSymbol } = slow);
        fileSkipped = slow.skipped;
      }
    } catch (error) {
      if (error instanceof ReadInterrupted) {
        throw new ImportInterruptedError(result(), file, rest(k + 1));
      }
      throw error;
    }
    await recordSymbolInfo(store, perSymbol, format, options.calendar);
    const rows = perSymbol.reduce((n, s) => n + s.rows, 0);
    const bars = perSymbol.reduce((n, s) => n + s.bars, 0);
    const outOfOrder = perSymbol.reduce((n, s) => n + s.outOfOrder, 0);
    const fileImport: FileImport = {
      file,
      format,
      symbols: perSymbol.map((s) => s.symbol),
      rows,
      bars,
      skipped: fileSkipped.length,
      volume,
    };
    done.push(fileImport);
    for (const s of perSymbol) symbols.add(s.symbol);
    skipped.push(...fileSkipped);
    if (!volume) warnings.push(`${file} has no volume column: its bars were stored with volume 0`);
    if (fileSkipped.length > 0)
      warnings.push(`${file}: ${plural(fileSkipped.length, "invalid line")} skipped`);
    if (rows > bars) {
      warnings.push(
        `${file}: ${plural(rows - bars, "repeated time")} (${plural(rows, "row")}, ${plural(bars, "bar")}): the last row of each time was kept`,
      );
    }
    if (outOfOrder > 0) {
      warnings.push(
        `${file}: ${plural(outOfOrder, "row")} earlier than a row before ${outOfOrder === 1 ? "it" : "them"} (out of time order; each is stored at its time)`,
      );
    }
    options.onFile?.(fileImport);
  }
  return result();
}

/**
 * One file through the JavaScript parser, in its own writer's transaction: a bad row refuses the
 * file (or, with `skipInvalid`, is listed) and any failure leaves nothing of it.
 */
async function parseAndWrite(
  store: BarStore,
  planned: ImportPlan["files"][number],
  settings: ReturnType<typeof settingsOf>,
  beforeChunk: () => void,
): Promise<{
  format: ImportFormat;
  volume: boolean;
  perSymbol: SymbolRows[];
  skipped: SkippedLine[];
}> {
  const file = planned.path;
  const writer = await openBulkWriter(store);
  const sink = new ImportSink(writer, file, settings.options.skipInvalid === true, settings.rules);
  try {
    const read = await readPlannedFile(planned, settings, sink, beforeChunk);
    if (sink.rows === 0 && sink.skipped.length === 0) {
      throw new ImportError(file, 0, undefined, "holds no bars");
    }
    // Every row is read: an abort from here on lets the file finish.
    await writer.commit();
    return { ...read, perSymbol: sink.symbolRows(), skipped: sink.skipped };
  } catch (error) {
    await writer.abort();
    throw error;
  }
}

/**
 * Imports one file, or every `.csv`, `.zip` and `.parquet` file under a folder: {@link importFiles}
 * of one path.
 *
 * @example
 * ```ts
 * const store = await DuckDbBarStore.open("sessiondata.duckdb");
 * const { symbols, rows, bars } = await importFile(store, "6EH4.XCME_1min_bars.csv", { stamp: "end" });
 * ```
 */
export function importFile(
  store: BarStore,
  path: string,
  options: ImportOptions = {},
): Promise<ImportResult> {
  return importFiles(store, [path], options);
}

/**
 * The first pass of {@link importFiles} alone: lists the files, sniffs each and refuses what the
 * import would refuse before writing (missing paths, contradicted formats, UTF-16 text,
 * `symbol` over several symbols), reading only the first bytes of each file. Pass the plan to
 * `importFiles` with the same options.
 */
export function planFiles(
  paths: readonly string[],
  options: ImportOptions = {},
): Promise<ImportPlan> {
  return planImport(paths, settingsOf(options));
}
