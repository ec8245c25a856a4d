/**
 * The common part of the import's DuckDB paths (`read_csv`, `read_parquet`): a source stages a
 * file's rows with one statement on the writer's connection, the import rules are checked in SQL
 * over the staged rows, and the file commits through the same writer, transaction and crash
 * protocol as the parser's rows. All or nothing, and never the one to refuse: a staging error, a
 * rule broken or a row count of zero hands the file back (nothing staged stays) to the reader in
 * JavaScript, whose refusal, `--skip-invalid` listing and line numbers are then the user's.
 */
import type { BarStore } from "../bar-store.js";
import { DuckDbBarStore } from "../duckdb/duckdb-bar-store.js";
import { DuckDbBulkWriter } from "../duckdb/duckdb-bulk-writer.js";
import type { ImportFormat, Settings } from "./import-options.js";
import type { SymbolRows } from "./import-sink.js";
import { MAX_PRICE_DECIMALS, widenDecimals } from "./price-decimals.js";
import { ReadInterrupted } from "./read-file.js";

/** What a file imported on a DuckDB path made (what `ImportSink` reports on the parser's path). */
export interface FastImport {
  readonly format: ImportFormat;
  readonly volume: boolean;
  readonly perSymbol: SymbolRows[];
}

/**
 * Internal switches of the DuckDB paths (not public API): tests and the benchmark turn them off
 * to measure or compare the readers in JavaScript, and watch which path each file took and why.
 */
export const fastImportPath: {
  enabled: boolean;
  onOutcome: ((file: string, outcome: string) => void) | undefined;
} = { enabled: true, onOutcome: undefined };

/** One file as a DuckDB path stages it. */
export interface StagedSource {
  readonly symbol: string;
  readonly format: ImportFormat;
  readonly volume: boolean;
  /**
   * Stages the rows with `writer.stageSelect`; resolves to the symbol id, or to why the file
   * goes to the JavaScript reader (nothing of a failed statement stays staged).
   */
  stage(writer: DuckDbBulkWriter): Promise<number | string>;
}

/** `round(x·10^d)/10^d = x`: the SQL of `hasAtMostDecimals` (ties never make it true either way). */
const fits = (x: string, d: number): string =>
  `round(${x} * CAST(1e${d} AS DOUBLE)) / CAST(1e${d} AS DOUBLE) = ${x}`;

const PRICES = ["open", "high", "low", "close"];

/** The most decimals a staged price needs, exactly as `widenDecimals` over every row finds. */
async function priceDecimals(writer: DuckDbBulkWriter, sid: number): Promise<number> {
  // A guess from the first rows, then one pass that confirms it (nearly always) or the full count.
  let guess = 0;
  for (const row of await writer.queryStage(
    `SELECT open, high, low, close FROM temp.stage WHERE sid = ${sid} LIMIT 2048`,
  )) {
    for (const v of row) guess = widenDecimals(guess, v as number);
  }
  if (guess >= MAX_PRICE_DECIMALS) return MAX_PRICE_DECIMALS;
  const all = PRICES.map((p) => fits(p, guess)).join(" AND ");
  const [[confirmed]] = (await writer.queryStage(
    `SELECT bool_and(${all}) FROM temp.stage WHERE sid = ${sid}`,
  )) as [[boolean]];
  if (confirmed) return guess;
  const decimals = (x: string) =>
    `CASE ${Array.from({ length: MAX_PRICE_DECIMALS }, (_, d) => `WHEN ${fits(x, d)} THEN ${d}`).join(" ")} ELSE ${MAX_PRICE_DECIMALS} END`;
  const [[d]] = (await writer.queryStage(
    `SELECT max(greatest(${PRICES.map(decimals).join(", ")})) FROM temp.stage WHERE sid = ${sid}`,
  )) as [[number]];
  return Number(d);
}

/**
 * Imports one file on a DuckDB path: `prepare` says how to stage it (or why not, as a string).
 * Resolves to the import, or to why the file goes to the JavaScript reader (nothing written).
 * Throws {@link ReadInterrupted} when `signal` fires before the rows are all staged and checked.
 */
export async function importStaged(
  store: BarStore,
  path: string,
  settings: Settings,
  signal: AbortSignal | undefined,
  size: number,
  source: StagedSource,
): Promise<FastImport | string> {
  // Only a DuckDB store's writer stages in DuckDB; another store's is never opened here.
  if (!(store instanceof DuckDbBarStore)) return "not a DuckDB store";
  const { options } = settings;
  options.onProgress?.({ file: path, done: 0, total: size });
  const writer = await store.bulkWriter();
  if (!(writer instanceof DuckDbBulkWriter)) {
    await writer.abort();
    return "not a DuckDB store";
  }
  const stop = () => writer.interrupt();
  signal?.addEventListener("abort", stop);
  let committed = false;
  try {
    const [[ordered]] = (await writer.queryStage(
      "SELECT current_setting('preserve_insertion_order')",
    )) as [[boolean]];
    // Without it DuckDB may stage rows out of file order, and the last row of a time would not win.
    if (String(ordered) !== "true") return "preserve_insertion_order is off";
    const sid = await source.stage(writer);
    if (signal?.aborted) throw new ReadInterrupted();
    if (typeof sid === "string") return sid;
    // `lag … OVER ()` is DuckDB's streaming window: it runs in the stage's row order (the file's)
    // without sorting, where `ORDER BY rowid` would sort every row.
    const [[rows, bad, lo, hi, notRising]] = (await writer.queryStage(
      `SELECT count(*)::DOUBLE, count(*) FILTER (WHERE (${settings.rules.sqlCondition()}) IS NOT TRUE)::DOUBLE,
         min(time), max(time), count(*) FILTER (WHERE time <= prev)::DOUBLE
       FROM (SELECT *, lag(time) OVER () AS prev FROM temp.stage WHERE sid = ${sid})`,
    )) as [[number, number, number, number, number]];
    if (rows === 0) return "no rows";
    if (bad > 0) return "rules";
    let bars = rows;
    let outOfOrder = 0;
    if (notRising > 0) {
      const [[distinct, earlier]] = (await writer.queryStage(
        `SELECT count(DISTINCT time)::DOUBLE, count(*) FILTER (WHERE time < latest)::DOUBLE FROM (
           SELECT time, max(time) OVER (ORDER BY rowid ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS latest
           FROM temp.stage WHERE sid = ${sid})`,
      )) as [[number, number]];
      bars = distinct;
      outOfOrder = earlier;
    }
    const decimals = await priceDecimals(writer, sid);
    writer.noteStaged(sid, rows, lo, hi, notRising === 0);
    if (signal?.aborted) throw new ReadInterrupted();
    // Every row is staged and checked: an abort from here on lets the file finish.
    signal?.removeEventListener("abort", stop);
    await writer.commit();
    committed = true;
    options.onProgress?.({ file: path, done: size, total: size });
    return {
      format: source.format,
      volume: source.volume,
      perSymbol: [
        { symbol: source.symbol.toUpperCase(), rows, bars, outOfOrder, priceDecimals: decimals },
      ],
    };
  } finally {
    signal?.removeEventListener("abort", stop);
    if (!committed) await writer.abort();
  }
}
