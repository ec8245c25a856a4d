/**
 * The first pass of an import, before anything is written: expand folders into files, read each
 * file's first bytes and rows, settle its format (declared formats the content contradicts are
 * refused here) and the symbol its name gives, and refuse `--symbol` over files of different
 * symbols.
 */
import { stat } from "node:fs/promises";
import { basename, extname } from "node:path";
import { ImportError, InvalidArgumentError } from "../../domain/errors.js";
import { detectText, leanKindOf, listFiles, symbolOfFileName } from "./import-names.js";
import type { ImportFormat, Settings } from "./import-options.js";
import { isLeanName, parseLeanName } from "./lean.js";
import {
  checkDeclaredContainer,
  checkDeclaredText,
  checkText,
  describeKind,
  kindOfBytes,
  readHead,
  shapeOfText,
} from "./sniff.js";
import { ZipReader } from "./zip-stream.js";

/** One file an import will read. */
export interface PlannedFile {
  readonly path: string;
  /** How its bytes are read. */
  readonly container: "text" | "zip" | "parquet";
  /** Its format (a zip: that of its first `.csv` entry; each entry is checked as it is read). */
  readonly format: ImportFormat;
  /** The symbol its name (or LEAN ticker) gives, upper case, before `--symbol`. */
  readonly symbol: string | undefined;
}

/** What {@link planImport} found. */
export interface ImportPlan {
  readonly files: PlannedFile[];
  /** Files passed over, and why (LEAN quote zips beside the trade ones). */
  readonly warnings: string[];
}

/** Whether a zip entry holds bars: its `.csv` entries (a readme or a vendor's status `.txt` does not). */
export const isCsvEntry = (name: string): boolean => extname(name).toLowerCase() === ".csv";

/** The first line of `text` (cut at 4 KiB). */
const firstLine = (text: string): string => text.slice(0, 4096).split(/\r?\n|\r/)[0] ?? "";

/** The symbol a text file (or zip entry) of `format` names: the LEAN ticker or its name's. */
function symbolOf(
  path: string,
  entry: string | undefined,
  format: ImportFormat,
): string | undefined {
  if (format === "lean") {
    try {
      return parseLeanName(path, entry).ticker;
    } catch {
      return undefined;
    }
  }
  return symbolOfFileName(entry ?? path);
}

/** Sniffs a zip's first `.csv` entry: its format and symbol. */
async function planZip(path: string, settings: Settings): Promise<PlannedFile> {
  const reader = new ZipReader(path, isCsvEntry);
  for await (const entry of reader.entries()) {
    const parts: Uint8Array[] = [];
    let length = 0;
    for await (const chunk of entry.chunks) {
      parts.push(chunk);
      length += chunk.length;
      if (length >= 4096) break;
    }
    const head = Buffer.concat(parts).subarray(0, 64 << 10);
    const where = `${path}:${entry.name}`;
    checkText(where, kindOfBytes(head));
    const text = head.toString("utf8");
    const lean = isLeanName(path) || isLeanName(entry.name);
    checkDeclaredText(
      where,
      settings.format,
      shapeOfText(text),
      lean,
      settings.columns !== undefined,
    );
    const format = settings.format ?? (lean ? "lean" : detectText(entry.name, firstLine(text)));
    return { path, container: "zip", format, symbol: symbolOf(path, entry.name, format) };
  }
  const names = reader.names.filter((n) => !n.endsWith("/"));
  if (names.length === 0) throw new ImportError(path, 0, undefined, "is an empty zip file");
  throw new ImportError(
    path,
    0,
    undefined,
    `holds no .csv file (it holds ${names.slice(0, 5).join(", ")}${names.length > 5 ? ", …" : ""})`,
  );
}

/** Sniffs one file. */
async function planFile(path: string, settings: Settings): Promise<PlannedFile> {
  const head = await readHead(path);
  const kind = kindOfBytes(head);
  const ext = extname(path).toLowerCase();
  checkDeclaredContainer(path, settings.format, kind);
  if ((ext === ".parquet" && kind !== "parquet") || (ext === ".zip" && kind !== "zip")) {
    const what = ext === ".zip" ? "a zip file" : "a Parquet file";
    throw new ImportError(path, 0, undefined, `is not ${what} (it is ${describeKind(kind)})`);
  }
  if (kind === "parquet") {
    return { path, container: "parquet", format: "parquet", symbol: symbolOfFileName(path) };
  }
  if (kind === "zip") return planZip(path, settings);
  checkText(path, kind);
  // A head cut inside a multi-byte character decodes it as U+FFFD at the very end: harmless.
  const text = Buffer.from(head).toString("utf8");
  const lean = isLeanName(path);
  checkDeclaredText(path, settings.format, shapeOfText(text), lean, settings.columns !== undefined);
  const format = settings.format ?? (lean ? "lean" : detectText(basename(path), firstLine(text)));
  return { path, container: "text", format, symbol: symbolOf(path, undefined, format) };
}

/**
 * Plans the import of `paths` (files, or folders of `.csv`, `.zip` and `.parquet` files):
 * throws `ImportError` for a missing path, an empty folder or a file whose content the declared
 * format contradicts, and `InvalidArgumentError` for `--symbol` over files naming several symbols.
 */
export async function planImport(
  paths: readonly string[],
  settings: Settings,
): Promise<ImportPlan> {
  const files: PlannedFile[] = [];
  const warnings: string[] = [];
  for (const path of paths) {
    let info: Awaited<ReturnType<typeof stat>>;
    try {
      info = await stat(path);
    } catch {
      throw new ImportError(path, 0, undefined, "does not exist");
    }
    const list = info.isDirectory() ? await listFiles(path) : [path];
    if (list.length === 0) {
      throw new ImportError(path, 0, undefined, "holds no .csv, .zip or .parquet file");
    }
    for (const file of list) {
      const format = settings.format;
      const leanKind =
        info.isDirectory() && (format === undefined || format === "lean")
          ? leanKindOf(file)
          : undefined;
      if (leanKind !== undefined && leanKind !== "trade") {
        // A LEAN folder keeps quote (and open-interest) zips beside the trade ones: passed
        // over in a folder import, refused only when named.
        warnings.push(`${file}: LEAN ${leanKind} bars skipped (only trade bars are imported)`);
        continue;
      }
      files.push(await planFile(file, settings));
    }
  }
  if (settings.symbol !== undefined) {
    const named = [...new Set(files.map((f) => f.symbol).filter((s) => s !== undefined))].sort();
    if (named.length > 1) {
      const shown = named.length > 5 ? `${named.slice(0, 5).join(", ")}, …` : named.join(", ");
      throw new InvalidArgumentError(
        `--symbol ${settings.symbol} over ${files.length} files that name ${named.length} symbols (${shown}) would store them all as ${settings.symbol}: leave --symbol out to import each under its own name, or import one symbol's files at a time`,
      );
    }
  }
  return { files, warnings };
}
