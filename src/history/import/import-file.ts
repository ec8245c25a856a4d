import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { basename, extname } from "node:path";
import { unzipSync } from "fflate";
import { ImportError, InvalidArgumentError } from "../../domain/errors.js";
import type { BarStore } from "../bar-store.js";
import { checkSymbol, openBulkWriter } from "../bulk-writer.js";
import { type ColumnRole, parseColumnRoles, readDelimited } from "./delimited.js";
import {
  detectText,
  firstLineOf,
  leanKindOf,
  listFiles,
  symbolOfFileName,
} from "./import-names.js";
import { ImportSink, type SkippedLine } from "./import-sink.js";
import { isLeanName, LEAN_PRICE_SCALE, LEAN_TIME_ZONE, leanTimeOf, parseLeanName } from "./lean.js";
import { readParquet } from "./parquet.js";
import { checkTimeZone, TimestampParser } from "./timestamps.js";

export { symbolOfFileName };

/** The file formats `importFile` reads. */
export type ImportFormat = "csv" | "lean" | "binance" | "parquet";

/** Where an import stands, for progress bars. */
export interface ImportProgress {
  readonly file: string;
  /** Bytes (rows for Parquet) read of this file so far, and in all. */
  readonly done: number;
  readonly total: number;
}

/** Options of {@link importFile}; they mirror `sessiondata import`'s flags. */
export interface ImportOptions {
  /** The format; detected from the name and first line when absent or `"auto"`. */
  readonly format?: ImportFormat | "auto";
  /** The symbol of the bars; from the file or folder name when absent. */
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
  readonly onProgress?: (progress: ImportProgress) => void;
  /** Called as each file is committed (a later file's failure leaves these in the store). */
  readonly onFile?: (file: FileImport) => void;
}

/** One file's share of an import. */
export interface FileImport {
  readonly file: string;
  readonly format: ImportFormat;
  readonly symbols: string[];
  readonly rows: number;
  readonly skipped: number;
  /** False when the file had no volume column (its bars got volume 0). */
  readonly volume: boolean;
}

/** What {@link importFile} wrote. */
export interface ImportResult {
  /** Every symbol written, sorted. */
  readonly symbols: string[];
  readonly rows: number;
  /** Each line left out under `skipInvalid`. */
  readonly skipped: SkippedLine[];
  readonly files: FileImport[];
  /** Things the user should know (e.g. a file without volume). */
  readonly warnings: string[];
}

interface Settings {
  readonly options: ImportOptions;
  readonly columns: ColumnRole[] | undefined;
  readonly timeShift: number;
}

function settingsOf(options: ImportOptions): Settings {
  if (options.tz !== undefined) checkTimeZone(options.tz);
  if (options.symbol !== undefined) checkSymbol(options.symbol);
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
  if (format !== undefined && !["auto", "csv", "lean", "binance", "parquet"].includes(format)) {
    throw new InvalidArgumentError(
      `format ${JSON.stringify(format)} is not csv, lean, binance or parquet`,
    );
  }
  return {
    options,
    columns: options.columns === undefined ? undefined : parseColumnRoles(options.columns),
    timeShift: options.stamp === "end" ? -60_000 : 0,
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

async function* fileChunks(
  path: string,
  size: number,
  progress: ImportOptions["onProgress"],
): AsyncGenerator<string> {
  const stream = createReadStream(path, { encoding: "utf8", highWaterMark: 1 << 20 });
  for await (const chunk of stream) {
    progress?.({ file: path, done: stream.bytesRead, total: size });
    yield chunk as string;
  }
}

/** Reads one file's bars into the sink; resolves to its format and whether it had volume. */
async function readOne(
  path: string,
  settings: Settings,
  sink: ImportSink,
): Promise<{ format: ImportFormat; volume: boolean }> {
  const { options } = settings;
  const ext = extname(path).toLowerCase();
  const timestamps = new TimestampParser(options.tz);
  let format =
    options.format === undefined || options.format === "auto" ? undefined : options.format;
  const base = {
    file: path,
    timestamps,
    timeShift: settings.timeShift,
    ...(options.delimiter === undefined ? {} : { delimiter: options.delimiter }),
  };
  if (format === "parquet" || (format === undefined && ext === ".parquet")) {
    const { volume } = await readParquet(
      {
        ...base,
        symbol: options.symbol ?? symbolOfFileName(path),
        ...(settings.columns === undefined ? {} : { columns: settings.columns }),
        ...(options.tz === undefined ? {} : { tz: options.tz }),
        priceScale: options.priceScale ?? 1,
        onRows: (done, total) => options.onProgress?.({ file: path, done, total }),
      },
      sink,
    );
    return { format: "parquet", volume };
  }
  // Text: a zip's entries (LEAN ships one CSV per zip) or the file itself, streamed.
  const entries: {
    name: string;
    text: () => AsyncIterable<string> | Iterable<string>;
    first: string;
  }[] = [];
  if (ext === ".zip") {
    let files: Record<string, Uint8Array>;
    try {
      const { readFile } = await import("node:fs/promises");
      files = unzipSync(await readFile(path));
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new ImportError(path, 0, undefined, `is not a readable zip file (${reason})`);
    }
    const decoder = new TextDecoder();
    const names = Object.keys(files)
      .filter((name) => !name.endsWith("/"))
      .sort();
    if (names.length === 0) throw new ImportError(path, 0, undefined, "is an empty zip file");
    // The bars are in the .csv entries (LEAN: one per zip); a readme or a vendor's status .txt
    // beside them is not read as bars.
    const data = names.filter((name) => extname(name).toLowerCase() === ".csv");
    if (data.length === 0) {
      throw new ImportError(
        path,
        0,
        undefined,
        `holds no .csv file (it holds ${names.slice(0, 5).join(", ")}${names.length > 5 ? ", …" : ""})`,
      );
    }
    for (const name of data) {
      const text = decoder.decode(files[name]!);
      entries.push({ name, text: () => [text], first: text.slice(0, 4096).split("\n")[0] ?? "" });
    }
  } else {
    const size = (await stat(path)).size;
    entries.push({
      name: basename(path),
      text: () => fileChunks(path, size, options.onProgress),
      first: await firstLineOf(path),
    });
  }
  let volume = true;
  for (const entry of entries) {
    const file = ext === ".zip" ? `${path}:${entry.name}` : path;
    sink.setSource(file);
    const kind: ImportFormat =
      format ?? (isLeanName(path) ? "lean" : detectText(entry.name, entry.first));
    format ??= kind;
    if (kind === "lean") {
      const lean = parseLeanName(path, ext === ".zip" ? entry.name : undefined);
      if (lean.kind !== "trade") {
        throw new ImportError(
          file,
          0,
          undefined,
          `holds LEAN ${lean.kind} bars; only trade bars are supported`,
        );
      }
      const symbol = options.symbol ?? lean.ticker;
      if (symbol === undefined)
        throw new ImportError(file, 0, undefined, "names no ticker; give --symbol");
      const r = await readDelimited(
        entry.text(),
        {
          ...base,
          file,
          symbol,
          columns: settings.columns ?? ["time", "open", "high", "low", "close", "volume"],
          header: false,
          timeOf: leanTimeOf(lean.date, options.tz ?? LEAN_TIME_ZONE),
          priceScale: options.priceScale ?? LEAN_PRICE_SCALE,
        },
        sink,
      );
      volume &&= r.volume;
    } else {
      const binance = kind === "binance";
      const r = await readDelimited(
        entry.text(),
        {
          ...base,
          file,
          symbol: options.symbol ?? symbolOfFileName(ext === ".zip" ? entry.name : path),
          ...(settings.columns !== undefined
            ? { columns: settings.columns }
            : binance
              ? { columns: ["time", "open", "high", "low", "close", "volume"] as ColumnRole[] }
              : {}),
          priceScale: options.priceScale ?? 1,
        },
        sink,
      );
      volume &&= r.volume;
    }
  }
  return { format: format!, volume };
}

/**
 * Imports bar files into a store: one file, or every `.csv`, `.zip` and `.parquet` file under a
 * folder. Each file is written in one transaction: a bad row refuses the whole file (an
 * `ImportError` naming file, line and field) and a failure or a killed process leaves nothing
 * of it; files before it stay imported. With `skipInvalid` the valid rows are written and each
 * bad line is listed.
 *
 * @example
 * ```ts
 * const store = await DuckDbBarStore.open("sessiondata.duckdb");
 * const { symbols, rows } = await importFile(store, "6EH4.XCME_1min_bars.csv", { stamp: "end" });
 * ```
 */
export async function importFile(
  store: BarStore,
  path: string,
  options: ImportOptions = {},
): Promise<ImportResult> {
  const settings = settingsOf(options);
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch {
    throw new ImportError(path, 0, undefined, "does not exist");
  }
  const files = info.isDirectory() ? await listFiles(path) : [path];
  if (files.length === 0)
    throw new ImportError(path, 0, undefined, "holds no .csv, .zip or .parquet file");
  const done: FileImport[] = [];
  const skipped: SkippedLine[] = [];
  const warnings: string[] = [];
  const symbols = new Set<string>();
  for (const file of files) {
    const auto = options.format === undefined || options.format === "auto";
    const leanKind =
      info.isDirectory() && (auto || options.format === "lean") ? leanKindOf(file) : undefined;
    if (leanKind !== undefined && leanKind !== "trade") {
      // A LEAN folder keeps quote (and open-interest) zips beside the trade ones: passed over
      // in a folder import, refused only when named.
      warnings.push(`${file}: LEAN ${leanKind} bars skipped (only trade bars are imported)`);
      continue;
    }
    const writer = await openBulkWriter(store);
    const sink = new ImportSink(writer, file, options.skipInvalid === true);
    try {
      const { format, volume } = await readOne(file, settings, sink);
      if (sink.rows === 0 && sink.skipped.length === 0) {
        throw new ImportError(file, 0, undefined, "holds no bars");
      }
      const rows = await writer.commit();
      const fileImport: FileImport = {
        file,
        format,
        symbols: [...sink.symbols].sort(),
        rows,
        skipped: sink.skipped.length,
        volume,
      };
      done.push(fileImport);
      options.onFile?.(fileImport);
      if (!volume)
        warnings.push(`${file} has no volume column: its bars were stored with volume 0`);
      if (sink.skipped.length > 0)
        warnings.push(`${file}: ${sink.skipped.length} invalid lines skipped`);
      if (sink.unordered > 0) {
        warnings.push(
          `${file}: ${sink.unordered} rows are not after the row before (out of order, or repeating a time: for a repeated time the last row is kept)`,
        );
      }
      for (const s of sink.symbols) symbols.add(s);
      skipped.push(...sink.skipped);
    } catch (error) {
      await writer.abort();
      throw error;
    }
  }
  return {
    symbols: [...symbols].sort(),
    rows: done.reduce((n, f) => n + f.rows, 0),
    skipped,
    files: done,
    warnings,
  };
}
