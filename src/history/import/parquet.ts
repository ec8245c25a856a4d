import { type DuckDBDataChunk, DuckDBInstance } from "@duckdb/node-api";
import { ImportError } from "../../domain/errors.js";
import { sqlIdent, sqlString } from "../duckdb/duckdb-sql.js";
import { copyFromVector } from "../duckdb/duckdb-vectors.js";
import { type ColumnRole, roleOfHeader } from "./delimited.js";
import type { ImportSink } from "./import-sink.js";
import { epochToMs, type TimestampParser, WallClock } from "./timestamps.js";

/** How to read one Parquet file. */
export interface ParquetSpec {
  readonly file: string;
  /** The symbol of rows without a symbol column (and of every row when `symbolGiven`). */
  readonly symbol: string;
  /** Whether `symbol` was given (`--symbol`): a second symbol in a symbol column is then an error. */
  readonly symbolGiven?: boolean;
  readonly columns?: readonly ColumnRole[];
  readonly timestamps: TimestampParser;
  readonly tz?: string;
  readonly priceScale: number;
  readonly timeShift: number;
  readonly onRows?: (done: number, total: number) => void;
  /** Called before each chunk of rows (an abort check: throws to stop). */
  readonly beforeChunk?: () => void;
}

/**
 * Reads a Parquet file through DuckDB's `read_parquet` (a private in-memory database), mapping
 * columns by `columns` (by position) or by name as the CSV importer does. Times may be
 * TIMESTAMP (naive: UTC, or wall-clock time in `tz`), TIMESTAMPTZ, DATE, epoch numbers or text.
 */
export async function readParquet(
  spec: ParquetSpec,
  sink: ImportSink,
): Promise<{ volume: boolean }> {
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  try {
    const source = `read_parquet(${sqlString(spec.file)})`;
    let described: [string, string][];
    try {
      const reader = await connection.runAndReadAll(`DESCRIBE SELECT * FROM ${source}`);
      described = reader.getRows().map((r) => [String(r[0]), String(r[1])]);
    } catch (error) {
      const reason = error instanceof Error ? error.message.split("\n")[0]! : String(error);
      throw new ImportError(spec.file, 0, undefined, `is not a readable Parquet file (${reason})`);
    }
    const roles =
      spec.columns === undefined
        ? described.map(([name]) => roleOfHeader(name))
        : [...spec.columns];
    // A date column stands for the time when there is no time column (a date beside a full
    // timestamp is ignored).
    if (!roles.includes("time") && roles.includes("date")) roles[roles.indexOf("date")] = "time";
    const column = (role: ColumnRole): [string, string] | undefined => {
      const i = roles.indexOf(role);
      return i < 0 ? undefined : described[i];
    };
    for (const role of ["time", "open", "high", "low", "close"] as const) {
      if (column(role) === undefined) {
        throw new ImportError(
          spec.file,
          0,
          role,
          `has no column (columns: ${described.map(([n]) => n).join(", ")}; name them with --columns)`,
        );
      }
    }
    const [timeName, timeType] = column("time")!;
    const isText = /^VARCHAR/.test(timeType);
    const isNaive = /^(TIMESTAMP(_S|_MS|_NS)?|DATE)$/.test(timeType);
    const isInstant = isNaive || /WITH TIME ZONE/.test(timeType);
    const t = sqlIdent(timeName);
    // NULLs and values that are no number (TRY_CAST: text such as 'abc' in a VARCHAR column)
    // become NaN, so the row is refused or skipped with its row number and field like any other
    // non-number, instead of DuckDB failing the whole read with a message naming no row.
    const nan = (expr: string): string => `coalesce(${expr}, CAST('NaN' AS DOUBLE))`;
    const timeExpr = isText
      ? t
      : isInstant
        ? nan(`CAST(epoch_ms(${t}) AS DOUBLE)`)
        : nan(`TRY_CAST(${t} AS DOUBLE)`);
    const value = (role: ColumnRole): string => {
      const c = column(role);
      return c === undefined ? "CAST(0 AS DOUBLE)" : nan(`TRY_CAST(${sqlIdent(c[0])} AS DOUBLE)`);
    };
    const symbolColumn = column("symbol");
    const symbolExpr =
      symbolColumn === undefined ? "" : `, CAST(${sqlIdent(symbolColumn[0])} AS VARCHAR)`;
    const total = Number(
      (await connection.runAndReadAll(`SELECT count(*) FROM ${source}`)).getRows()[0]![0],
    );
    const result = await connection.stream(
      `SELECT ${timeExpr}, ${["open", "high", "low", "close", "volume"].map((r) => value(r as ColumnRole)).join(", ")}${symbolExpr} FROM ${source}`,
    );
    const clock = isNaive && spec.tz !== undefined ? new WallClock(spec.tz) : undefined;
    const cols = Array.from({ length: 6 }, () => new Float64Array(2048));
    const [o, h, l, c, v] = [cols[1]!, cols[2]!, cols[3]!, cols[4]!, cols[5]!];
    const scale = spec.priceScale;
    let row = 0;
    let symbol = spec.symbol;
    let symbolText: string | undefined;
    /** With `symbolGiven`: the first symbol the column named, upper case. */
    let named: string | undefined;
    let timeVector: ReturnType<DuckDBDataChunk["getColumnVector"]> | undefined;
    let at = 0;
    // A refusal quotes the time as the file holds it: text as written, a naive timestamp as its
    // wall-clock time, an instant in ISO 8601, an epoch number as the number.
    sink.setTimeText(() => {
      if (isText) {
        const item = timeVector?.getItem(at);
        return item === null || item === undefined ? "NULL" : String(item);
      }
      const raw = cols[0]![at]!;
      const date = new Date(raw);
      if (!isInstant || Number.isNaN(date.getTime())) return String(raw);
      const iso = date.toISOString();
      return isNaive ? iso.slice(0, 19).replace("T", " ") : iso;
    });
    for (;;) {
      spec.beforeChunk?.();
      const chunk = await result.fetchChunk();
      if (chunk === null || chunk.rowCount === 0) break;
      const n = chunk.rowCount;
      timeVector = chunk.getColumnVector(0);
      const symbols = symbolColumn === undefined ? undefined : chunk.getColumnVector(6);
      for (let c = 1; c < 6; c++) copyFromVector(chunk.getColumnVector(c), 0, cols[c]!, 0, n);
      if (!isText) copyFromVector(timeVector, 0, cols[0]!, 0, n);
      for (let i = 0; i < n; i++) {
        row++;
        at = i;
        if (symbols !== undefined) {
          const text = String(symbols.getItem(i) ?? "").trim();
          if (text !== symbolText) {
            if (text === "") {
              sink.reject(row, "symbol", "is empty");
              continue;
            }
            symbolText = text;
            const upper = text.toUpperCase();
            if (spec.symbolGiven !== true) symbol = upper;
            else if ((named ??= upper) !== upper) {
              throw new ImportError(
                spec.file,
                row,
                "symbol",
                `${JSON.stringify(text)} follows ${JSON.stringify(named)}: the file holds several symbols, and --symbol ${spec.symbol} would store them all as one. Leave --symbol out to import each under its own name`,
              );
            }
          }
        }
        let time: number;
        if (isText) {
          const text = String(timeVector.getItem(i) ?? "");
          time = spec.timestamps.parse(text, 0, text.length);
        } else {
          const raw = cols[0]![i]!;
          time = isInstant ? (clock === undefined ? raw : clock.toUtc(raw)) : epochToMs(raw);
        }
        if (Number.isNaN(time)) {
          // A typed column's NULL (or uncastable value) arrives as NaN: say so rather than "NaN".
          const item = timeVector.getItem(i);
          const shown =
            !isText && Number.isNaN(Number(item))
              ? "NULL or no number"
              : JSON.stringify(String(item));
          sink.reject(row, "time", `${shown} is not a timestamp`);
          continue;
        }
        sink.add(
          symbol,
          row,
          time + spec.timeShift,
          o[i]! / scale,
          h[i]! / scale,
          l[i]! / scale,
          c[i]! / scale,
          v[i]!,
        );
      }
      spec.onRows?.(row, total);
    }
    sink.flush();
    return { volume: column("volume") !== undefined };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
