/**
 * The DuckDB path of a Parquet import: the file's rows go from `read_parquet` into the stage in
 * one statement on the store's own connection, instead of through JavaScript and back. The casts
 * are the ones `parquet.ts` runs (`TRY_CAST(… AS DOUBLE)`, `epoch_ms`), so the values are the
 * same doubles; a file it does not handle (a symbol column, text times, naive times with a
 * `tz`, an epoch below 1e9) or one with a NULL or a broken rule goes to `parquet.ts` instead.
 */
import { stat } from "node:fs/promises";
import type { BarStore } from "../bar-store.js";
import { sqlIdent, sqlString } from "../duckdb/duckdb-sql.js";
import type { ColumnRole } from "./delimited.js";
import { roleOfHeader } from "./delimited.js";
import { type FastImport, fastImportPath, importStaged } from "./duckdb-staged-import.js";
import { symbolOfFileName } from "./import-names.js";
import type { Settings } from "./import-options.js";
import type { PlannedFile } from "./import-plan.js";

/**
 * Imports one planned Parquet file on the DuckDB path when the store is a DuckDB store and the file
 * qualifies; resolves to why not (a reason, nothing written, nothing staged) when the file must
 * take the JavaScript reader's path instead. Throws {@link ReadInterrupted} when `signal` fires.
 */
export async function importParquetWithDuckDb(
  store: BarStore,
  planned: PlannedFile,
  settings: Settings,
  signal: AbortSignal | undefined,
): Promise<FastImport | string> {
  if (!fastImportPath.enabled) return "disabled";
  if (planned.container !== "parquet") return "not a Parquet file";
  const { path } = planned;
  const { options } = settings;
  const source = `read_parquet(${sqlString(path)})`;
  const symbol = settings.symbol ?? planned.symbol ?? symbolOfFileName(path);
  let volume = false;
  const size = (await stat(path)).size;
  return importStaged(store, path, settings, signal, size, {
    symbol,
    format: "parquet",
    get volume() {
      return volume;
    },
    stage: async (writer) => {
      let described: [string, string][];
      try {
        described = (await writer.queryStage(`DESCRIBE SELECT * FROM ${source}`)).map((r) => [
          String(r[0]),
          String(r[1]),
        ]);
      } catch {
        return "not readable";
      }
      const roles: ColumnRole[] =
        settings.columns === undefined
          ? described.map(([name]) => roleOfHeader(name))
          : [...settings.columns];
      if (!roles.includes("time") && roles.includes("date")) roles[roles.indexOf("date")] = "time";
      const column = (role: ColumnRole): [string, string] | undefined => {
        const i = roles.indexOf(role);
        return i < 0 ? undefined : described[i];
      };
      if (column("symbol") !== undefined) return "a symbol column";
      for (const role of ["time", "open", "high", "low", "close"] as const) {
        if (column(role) === undefined) return `no ${role} column`;
      }
      const [timeName, timeType] = column("time")!;
      const t = sqlIdent(timeName);
      const naive = /^(TIMESTAMP(_S|_MS|_NS)?|DATE)$/.test(timeType);
      let time: string;
      if (naive || /WITH TIME ZONE/.test(timeType)) {
        if (naive && options.tz !== undefined) return "naive times in a zone";
        time = `CAST(epoch_ms(${t}) AS DOUBLE)`;
      } else if (/^VARCHAR/.test(timeType)) {
        return "text times";
      } else {
        // parquet.ts's epochToMs; from 1e9 up only, so ties round alike (see duckdb-csv-import.ts).
        const x = `TRY_CAST(${t} AS DOUBLE)`;
        time = `CASE WHEN ${x} < 1e9 THEN NULL WHEN ${x} < 1e11 THEN round(${x} * 1000) WHEN ${x} < 1e14 THEN ${x} WHEN ${x} < 1e17 THEN round(${x} / 1000) ELSE round(${x} / 1e6) END`;
      }
      const scale = options.priceScale ?? 1;
      const price = (role: ColumnRole) =>
        `TRY_CAST(${sqlIdent(column(role)![0])} AS DOUBLE) / ${scale}`;
      const v = column("volume");
      volume = v !== undefined;
      const select = `SELECT ${time} + ${settings.timeShift} AS time, ${price("open")} AS open,
          ${price("high")} AS high, ${price("low")} AS low, ${price("close")} AS close,
          ${v === undefined ? "CAST(0 AS DOUBLE)" : `TRY_CAST(${sqlIdent(v[0])} AS DOUBLE)`} AS volume
        FROM ${source}`;
      // A NULL (or a value no cast reads) breaks the stage's NOT NULL: parquet.ts names its row.
      return writer
        .stageSelect(symbol, select)
        .catch(
          (e: unknown) =>
            `rejected by read_parquet: ${(e instanceof Error ? e.message : String(e)).split("\n")[0]}`,
        );
    },
  });
}
