/**
 * Which CSV files DuckDB's `read_csv` can import exactly as the JavaScript parser would, and how
 * to tell it their layout. A file qualifies only when every row the typed read accepts is one the
 * parser accepts with the same values; anything else (a symbol column, split date and time, a
 * time zone, a timestamp shape without a strict DuckDB format) takes the parser's path.
 */
import { type ColumnRole, detectDelimiter, ROLES, roleOfHeader } from "./delimited.js";
import type { ImportFormat, Settings } from "./import-options.js";
import { parseNumber, TimestampParser } from "./timestamps.js";

/** How the time column is written. */
export type TimeShape =
  /** ISO 8601 of one fixed width, read as text and parsed with `strptime(format)`. */
  | { readonly kind: "iso"; readonly format: string; readonly length: number }
  /** Epoch seconds, milliseconds, microseconds or nanoseconds, told apart by size. */
  | { readonly kind: "epoch" };

/** A CSV layout `read_csv` reads typed. */
export interface FastCsvLayout {
  readonly delimiter: string;
  /** Whether the first line is a header (skipped). */
  readonly header: boolean;
  /** The number of fields every row has. */
  readonly width: number;
  /** Column index of each role (first occurrence; -1 for an absent volume). */
  readonly time: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
  readonly shape: TimeShape;
  /** The byte that ends lines (10, or 13 for lone-CR files). */
  readonly newline: number;
}

const REQUIRED: readonly ColumnRole[] = ["time", "open", "high", "low", "close"];

/** `YYYY-MM-DD` then optionally `T` or a space and `HH:MM[:SS]`, then optionally `Z`. */
const ISO = /^(\d{4})([-./])(\d{2})\2(\d{2})(?:([T ])(\d{2}):(\d{2})(:\d{2})?)?(Z)?$/;

/** The strict `strptime` format of a timestamp as the first data row writes it, if it has one. */
function shapeOf(text: string): TimeShape | undefined {
  if (/^\d{1,19}$/.test(text)) return { kind: "epoch" };
  const m = ISO.exec(text);
  if (m === null) return undefined;
  const sep = m[2]!;
  let format = `%Y${sep}%m${sep}%d`;
  if (m[5] !== undefined) format += `${m[5]}%H:%M${m[8] === undefined ? "" : ":%S"}`;
  if (m[9] !== undefined) format += "Z";
  return { kind: "iso", format, length: text.length };
}

/**
 * The layout of a text file from its first bytes, or `undefined` when the file must take the
 * JavaScript parser's path. Mirrors `readDelimited`'s header detection and column roles.
 */
export function fastCsvLayout(
  head: string,
  format: ImportFormat,
  settings: Settings,
): FastCsvLayout | undefined {
  const { options } = settings;
  if (options.tz !== undefined || (format !== "csv" && format !== "binance")) return undefined;
  let text = head;
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const lineEnd = /\r\n|\n|\r/.exec(text);
  if (lineEnd === null) return undefined;
  const newline = lineEnd[0] === "\r" ? 13 : 10;
  const lines = text.split(/\r\n|\n|\r/, 3);
  const first = lines[0]!;
  // A blank first line, quotes, or a header and no data row in the head: the parser's path.
  if (first.trim() === "" || first.includes('"') || lines.length < 3) return undefined;
  const delimiter = options.delimiter ?? detectDelimiter(first);
  const fields = first.split(delimiter);
  const timestamps = new TimestampParser();
  const looksLikeHeader = fields.every(
    (f) =>
      Number.isNaN(parseNumber(f, 0, f.length)) && Number.isNaN(timestamps.parse(f, 0, f.length)),
  );
  const columns =
    settings.columns ??
    (format === "binance"
      ? (["time", "open", "high", "low", "close", "volume"] as const)
      : undefined);
  const n = fields.length;
  const roles: ColumnRole[] = [
    ...(columns ?? (looksLikeHeader ? fields.map(roleOfHeader) : ROLES.slice(0, n >= 6 ? 6 : 5))),
  ];
  if (!roles.includes("time") && roles.includes("date")) roles[roles.indexOf("date")] = "time";
  if (roles.includes("date") || roles.includes("symbol")) return undefined;
  if (REQUIRED.some((r) => !roles.includes(r)) || roles.length > n) return undefined;
  const at = (r: ColumnRole) => roles.indexOf(r);
  const data = looksLikeHeader ? lines[1]! : first;
  if (data.includes('"')) return undefined;
  const dataFields = data.split(delimiter);
  if (dataFields.length !== n) return undefined;
  const shape = shapeOf(dataFields[at("time")]!);
  if (shape === undefined) return undefined;
  return {
    delimiter,
    header: looksLikeHeader,
    width: n,
    time: at("time"),
    open: at("open"),
    high: at("high"),
    low: at("low"),
    close: at("close"),
    volume: at("volume"),
    shape,
    newline,
  };
}
