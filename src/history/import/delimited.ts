import { ImportError } from "../../domain/errors.js";
import type { ImportSink } from "./import-sink.js";
import { DEFAULT_MAX_LINE_BYTES } from "./row-rules.js";
import { forEachLine } from "./text-lines.js";
import { parseNumber, type TimestampParser } from "./timestamps.js";

/**
 * What a column holds; `""` ignores it. `date` is a calendar date whose time of day is in a
 * separate `time` column (`Date,Time,Open,…` files); alone it is the timestamp.
 */
export type ColumnRole =
  | "time"
  | "date"
  | "symbol"
  | "open"
  | "high"
  | "low"
  | "close"
  | "volume"
  | "";

/** The columns of a file without a header, in order (the first five when it has five fields). */
export const ROLES: readonly ColumnRole[] = ["time", "open", "high", "low", "close", "volume"];
const NAMES: readonly string[] = [...ROLES, "date", "symbol"];
const REQUIRED: readonly ColumnRole[] = ["time", "open", "high", "low", "close"];

/** How to read one delimited text file (or zip entry). */
export interface DelimitedSpec {
  readonly file: string;
  /** The symbol of rows without a symbol column (and of every row when `symbolGiven`). */
  readonly symbol: string;
  /**
   * Whether `symbol` was given (`--symbol`): a symbol column then only renames one symbol, and a
   * second symbol in it is an error (they would all be stored as one).
   */
  readonly symbolGiven?: boolean;
  /** One character; detected from the first line (`,` `;` tab `|`) when absent. */
  readonly delimiter?: string;
  /** The role of each column by position; when absent, taken from a header or the default order. */
  readonly columns?: readonly ColumnRole[];
  /** Whether a first line of names may be present (default true). */
  readonly header?: boolean;
  readonly timestamps: TimestampParser;
  /** Reads the time field when the file's times are not timestamps (LEAN: ms since midnight). */
  readonly timeOf?: (text: string, s: number, e: number) => number;
  /** Prices are divided by this (LEAN equities: 10,000). */
  readonly priceScale: number;
  /** Added to every time (−60,000 for end-stamped 1-minute bars). */
  readonly timeShift: number;
  /** The longest line accepted (default 1 MiB). */
  readonly maxLineBytes?: number;
  /** Called before each chunk of text (an abort check: throws to stop). */
  readonly beforeChunk?: () => void;
}

/** Parses `--columns time,open,high,low,close,volume` (`_`, `skip` or an empty name ignore a column). */
export function parseColumnRoles(value: string | readonly string[]): ColumnRole[] {
  const names = typeof value === "string" ? value.split(",") : [...value];
  const roles = names.map((raw) => {
    const name = raw.trim().toLowerCase();
    if (name === "" || name === "_" || name === "skip" || name === "-") return "";
    const role = name === "timestamp" ? "time" : name;
    if (!NAMES.includes(role)) {
      throw new ImportError("--columns", 0, role, `is not one of ${NAMES.join(", ")} or _`);
    }
    return role as ColumnRole;
  });
  if (!roles.includes("time")) {
    const date = roles.indexOf("date");
    if (date >= 0) roles[date] = "time";
  }
  for (const r of REQUIRED) {
    if (!roles.includes(r))
      throw new ImportError("--columns", 0, r, "is missing from the column list");
  }
  if (new Set(roles.filter((r) => r !== "")).size !== roles.filter((r) => r !== "").length) {
    throw new ImportError("--columns", 0, undefined, "names a column twice");
  }
  return roles;
}

/** Header names of a column that holds each row's symbol. */
const SYMBOL_HEADERS = new Set(["symbol", "ticker", "sym", "instrument", "pair"]);

/** The role a header name suggests (`timestamp_utc` → time, `Open` → open, …), or "". */
export function roleOfHeader(name: string): ColumnRole {
  const n = name.toLowerCase().replace(/[^a-z]/g, "");
  if (SYMBOL_HEADERS.has(n)) return "symbol";
  if (n === "t" || n === "ts" || n.includes("time")) return "time";
  if (n === "d" || n.includes("date") || n === "day") return "date";
  if (n === "o" || n.includes("open")) return "open";
  if (n === "h" || n.includes("high")) return "high";
  if (n === "l" || n.includes("low")) return "low";
  if (n === "c" || n.includes("close") || n === "last") return "close";
  if (n === "v" || n === "vol" || n.includes("volume")) return "volume";
  return "";
}

/** Splits `text[s, e)` at `delim`, writing field bounds into `starts`/`ends`; returns the count. */
function splitFields(
  text: string,
  s: number,
  e: number,
  delim: string,
  starts: Int32Array,
  ends: Int32Array,
  max: number,
): number {
  let n = 0;
  let i = s;
  while (n < max) {
    let end: number;
    if (text.charCodeAt(i) === 34) {
      // A quoted field: its content ends at the closing quote.
      const close = text.indexOf('"', i + 1);
      end = close < 0 || close > e ? e : close;
      starts[n] = i + 1;
      ends[n] = end;
    } else {
      // indexOf is native and vectorised: far faster than a loop over char codes.
      end = text.indexOf(delim, i);
      if (end < 0 || end > e) end = e;
      starts[n] = i;
      ends[n] = end;
    }
    n++;
    if (end >= e) return n;
    // After a quoted field the delimiter follows the closing quote.
    const next = starts[n - 1] === i ? end : text.indexOf(delim, end);
    if (next < 0 || next >= e) return n;
    i = next + 1;
  }
  return n;
}

/**
 * A timestamp split over a date column (`2024-01-02`, `2024.01.02`, `20240102`) and a time
 * column (`09:30`, `09:30:00`, `0930`, `093000`); a time column that holds a whole timestamp
 * is taken as it is.
 */
function splitTimestamp(
  text: string,
  ds: number,
  de: number,
  ts: number,
  te: number,
  timestamps: TimestampParser,
): number {
  const whole = timestamps.parse(text, ts, te);
  if (!Number.isNaN(whole) && te - ts >= 10) return whole;
  let date = text.slice(ds, de).trim();
  if (/^\d{8}$/.test(date)) date = `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6)}`;
  let clock = text.slice(ts, te).trim();
  if (/^\d{3,4}$/.test(clock)) clock = clock.padStart(4, "0").replace(/(\d\d)(\d\d)/, "$1:$2");
  else if (/^\d{5,6}$/.test(clock)) {
    clock = clock.padStart(6, "0").replace(/(\d\d)(\d\d)(\d\d)/, "$1:$2:$3");
  } else if (/^\d:/.test(clock)) clock = `0${clock}`;
  const joined = `${date} ${clock}`;
  return timestamps.parse(joined, 0, joined.length);
}

/** The role of the first column a line of `n` fields lacks (the field a short line is missing). */
function firstMissing(index: Record<Exclude<ColumnRole, "">, number>, n: number): string {
  let role = "";
  let at = Number.POSITIVE_INFINITY;
  for (const [r, i] of Object.entries(index)) {
    if (i >= n && i < at) {
      role = r;
      at = i;
    }
  }
  return role;
}

/** The delimiter a first line uses most of: `,` `;` tab `|` (`,` when it has none). */
export function detectDelimiter(line: string): string {
  let best = ",";
  let bestCount = 0;
  for (const d of [",", ";", "\t", "|"]) {
    const count = line.split(d).length - 1;
    if (count > bestCount) {
      best = d;
      bestCount = count;
    }
  }
  return best;
}

/**
 * Reads delimited text (chunks of one file, any split) into the sink. Handles CRLF, a BOM, blank
 * lines, a header line (detected: no field is a number or a timestamp), quoted fields, a symbol
 * column; refuses a line over `maxLineBytes` as soon as it is that long. Resolves to whether
 * the file had a volume column.
 */
export async function readDelimited(
  chunks: AsyncIterable<string> | Iterable<string>,
  spec: DelimitedSpec,
  sink: ImportSink,
): Promise<{ volume: boolean }> {
  const starts = new Int32Array(64);
  const ends = new Int32Array(64);
  let delim = spec.delimiter ?? "";
  let index: Record<Exclude<ColumnRole, "">, number> | undefined;
  /** Set when the timestamp is split over a date and a time-of-day column. */
  let split = false;
  let needed = 0;
  let hasVolume = false;
  const scale = spec.priceScale;
  const shift = spec.timeShift;
  const { timestamps, timeOf } = spec;
  /** The symbol column's text of the row before, and its symbol (rows come in runs). */
  let symbolText = "";
  let symbol = spec.symbol;
  /** With `symbolGiven`: the first symbol the column named, upper case. */
  let named: string | undefined;
  /** The current row, for a refusal to quote its time as written. */
  let rowText = "";
  sink.setTimeText(() => {
    const ix = index!;
    const time = rowText.slice(starts[ix.time]!, ends[ix.time]!);
    return split ? `${rowText.slice(starts[ix.date]!, ends[ix.date]!)} ${time}` : time;
  });

  const setup = (given: readonly ColumnRole[], line: number): void => {
    const roles = [...given];
    if (!roles.includes("time") && roles.includes("date")) roles[roles.indexOf("date")] = "time";
    const at = (r: ColumnRole) => roles.indexOf(r);
    split = at("date") >= 0 && timeOf === undefined;
    for (const r of REQUIRED) {
      if (at(r) < 0) {
        throw new ImportError(
          spec.file,
          line,
          r,
          "has no column (name the columns with --columns time,open,high,low,close,volume)",
        );
      }
    }
    index = {
      time: at("time"),
      date: at("date"),
      symbol: at("symbol"),
      open: at("open"),
      high: at("high"),
      low: at("low"),
      close: at("close"),
      volume: at("volume"),
    };
    hasVolume = index.volume >= 0;
    needed = Math.max(...Object.values(index)) + 1;
  };

  const number = (text: string, i: number, role: string, line: number): number => {
    const v = parseNumber(text, starts[i]!, ends[i]!);
    if (Number.isNaN(v)) {
      sink.reject(
        line,
        role,
        `${JSON.stringify(text.slice(starts[i]!, ends[i]!))} is not a number`,
      );
    }
    return v;
  };

  /** The row's symbol from the symbol column, or undefined when the row is refused. */
  const symbolOf = (text: string, line: number): string | undefined => {
    let s = starts[index!.symbol]!;
    let e = ends[index!.symbol]!;
    while (s < e && text.charCodeAt(s) === 32) s++;
    while (e > s && text.charCodeAt(e - 1) === 32) e--;
    if (e - s === symbolText.length && text.startsWith(symbolText, s)) return symbol;
    if (s === e) {
      sink.reject(line, "symbol", "is empty");
      return undefined;
    }
    symbolText = text.slice(s, e);
    const upper = symbolText.toUpperCase();
    if (spec.symbolGiven !== true) return (symbol = upper);
    named ??= upper;
    if (upper !== named) {
      throw new ImportError(
        spec.file,
        line,
        "symbol",
        `${JSON.stringify(symbolText)} follows ${JSON.stringify(named)}: the file holds several symbols, and --symbol ${spec.symbol} would store them all as one. Leave --symbol out to import each under its own name`,
      );
    }
    return symbol;
  };

  const row = (text: string, s: number, e: number, line: number): void => {
    if (index === undefined) {
      if (text.charCodeAt(s) === 0xfeff) s++;
      const first = text.slice(s, e);
      if (delim === "") delim = detectDelimiter(first);
      const n = splitFields(text, s, e, delim, starts, ends, 64);
      const fields = Array.from({ length: n }, (_, k) => text.slice(starts[k]!, ends[k]!));
      // A header is a line of names: no field reads as a number or a timestamp. A data row with
      // one bad field is not a header, so it is refused (or skipped) with its line and field
      // instead of silently passing for one.
      const looksLikeHeader =
        spec.header !== false &&
        fields.every(
          (f, k) =>
            Number.isNaN(parseNumber(f, 0, f.length)) &&
            Number.isNaN(timestamps.parse(text, starts[k]!, ends[k]!)),
        );
      if (spec.columns !== undefined) setup(spec.columns, line);
      else if (looksLikeHeader) setup(fields.map(roleOfHeader), line);
      else setup(ROLES.slice(0, n >= 6 ? 6 : 5), line);
      if (looksLikeHeader) return;
    }
    const ix = index!;
    const n = splitFields(text, s, e, delim, starts, ends, needed);
    if (n < needed) {
      sink.reject(
        line,
        firstMissing(ix, n),
        `is missing: expected at least ${needed} fields, found ${n}`,
      );
      return;
    }
    rowText = text;
    const ts = starts[ix.time]!;
    const te = ends[ix.time]!;
    let time =
      timeOf !== undefined
        ? timeOf(text, ts, te)
        : split
          ? splitTimestamp(text, starts[ix.date]!, ends[ix.date]!, ts, te, timestamps)
          : timestamps.parse(text, ts, te);
    if (Number.isNaN(time)) {
      const shown = split
        ? `${text.slice(starts[ix.date]!, ends[ix.date]!)} ${text.slice(ts, te)}`
        : text.slice(ts, te);
      sink.reject(line, "time", `${JSON.stringify(shown)} is not a timestamp`);
      return;
    }
    time += shift;
    const open = number(text, ix.open, "open", line);
    if (Number.isNaN(open)) return;
    const high = number(text, ix.high, "high", line);
    if (Number.isNaN(high)) return;
    const low = number(text, ix.low, "low", line);
    if (Number.isNaN(low)) return;
    const close = number(text, ix.close, "close", line);
    if (Number.isNaN(close)) return;
    let volume = 0;
    if (ix.volume >= 0) {
      volume = number(text, ix.volume, "volume", line);
      if (Number.isNaN(volume)) return;
    }
    if (ix.symbol >= 0 && symbolOf(text, line) === undefined) return;
    if (scale === 1) sink.add(symbol, line, time, open, high, low, close, volume);
    else
      sink.add(symbol, line, time, open / scale, high / scale, low / scale, close / scale, volume);
  };

  const maxLineBytes = spec.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  await forEachLine(
    chunks,
    {
      maxLineBytes,
      tooLong: (line) =>
        sink.reject(
          line,
          undefined,
          `the line is longer than ${maxLineBytes.toLocaleString("en-US")} bytes; --max-line-bytes raises the limit`,
        ),
      ...(spec.beforeChunk === undefined ? {} : { beforeChunk: spec.beforeChunk }),
    },
    (text, s, e, line) => {
      let k = s;
      while (k < e && (text.charCodeAt(k) === 32 || text.charCodeAt(k) === 9)) k++;
      if (k < e) row(text, s, e, line);
    },
  );
  if (index === undefined) throw new ImportError(spec.file, 0, undefined, "holds no rows");
  sink.flush();
  return { volume: hasVolume };
}
