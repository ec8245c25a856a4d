/**
 * Where an import's files come from and what their names say: the files of a folder, the
 * symbol a file name suggests, a LEAN name's kind, a text file's format by its first line.
 */
import { readdir } from "node:fs/promises";
import { basename, extname, join } from "node:path";
import { isLeanName, parseLeanName } from "./lean.js";
import { parseNumber } from "./timestamps.js";

/** What a folder import picks up (a `.txt` is imported only when named: in a folder it is mostly a readme). */
const IMPORTABLE = new Set([".csv", ".zip", ".parquet"]);

/** LEAN's folders of factor and map files, which a folder import of bars passes over. */
const CORPORATE_FOLDERS = new Set(["factor_files", "map_files"]);

export async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    // Hidden files and folders (.git, macOS ._ forks) hold no bars.
    if (entry.name.startsWith(".")) continue;
    // LEAN's corporate actions beside its bars: imported as such (corporate-import.ts), not as bars.
    if (entry.isDirectory() && CORPORATE_FOLDERS.has(entry.name.toLowerCase())) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(path)));
    else if (IMPORTABLE.has(extname(entry.name).toLowerCase())) out.push(path);
  }
  return out.sort();
}

/** Name parts that describe a file rather than its instrument: dates, bar widths, sides. */
const NOT_SYMBOL =
  /^(\d+|\d+(s|m|min|h|d|w)|[mhd]\d+|bars?|bid|ask|mid|trades?|minute|ohlcv?|klines?)$/i;

/**
 * The symbol a file name suggests: its leading parts up to the first date, bar width or the
 * like, upper-cased (`btc-perp-20211231_1m.csv` → `BTC-PERP`, `6EH4.XCME_1min_bars.csv` →
 * `6EH4.XCME`, `ADABTC-1m-2021-11-27.csv` → `ADABTC`).
 */
export function symbolOfFileName(file: string): string {
  const base = basename(file).replace(/\.[^.]*$/, "");
  const parts = base.split(/([_-])/);
  let name = "";
  for (let i = 0; i < parts.length; i += 2) {
    if (NOT_SYMBOL.test(parts[i]!) && name !== "") break;
    name += (i > 0 && name !== "" ? parts[i - 1] : "") + parts[i];
  }
  return (name || base).toUpperCase();
}

/** The kind (`trade`, `quote`, …) a LEAN file name names, or undefined for other names. */
export function leanKindOf(file: string): string | undefined {
  if (!isLeanName(file)) return undefined;
  try {
    return parseLeanName(file, undefined).kind;
  } catch {
    return undefined;
  }
}

/** Guesses a text file's format from its name and first line. */
export function detectText(name: string, firstLine: string): "lean" | "binance" | "csv" {
  if (isLeanName(name)) return "lean";
  const fields = firstLine.trim().split(",");
  const numeric = fields.every((f) => !Number.isNaN(parseNumber(f, 0, f.length)));
  const first = Number(fields[0]);
  if (fields.length === 12 && numeric && first >= 1e11) return "binance";
  return "csv";
}
