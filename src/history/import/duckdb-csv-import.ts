/**
 * The DuckDB fast path of a CSV import: one `INSERT … SELECT … FROM read_csv(…)` stages the whole
 * file inside DuckDB (typed columns, its own threads, no row through JavaScript), the import
 * rules are checked in SQL over the staged rows, and the file commits through the same writer,
 * transaction and crash protocol as the parser's rows.
 *
 * It is all or nothing and never the one to refuse: a file it cannot read typed, a row DuckDB
 * rejects or one that breaks a rule sends the whole file back to the JavaScript parser (the
 * staged rows are dropped), so every refusal, `--skip-invalid` listing and line number is the
 * parser's, word for word. The fast path only has to accept exactly the files the parser accepts,
 * with the same values; where DuckDB's casts are laxer than the parser (`1_000`, `+-1`, a one-digit
 * month, an exponent in an epoch time) a scan of the raw bytes or a strict `strptime` format sends
 * the file back first.
 */
import { open, stat } from "node:fs/promises";
import type { BarStore } from "../bar-store.js";
import { sqlString } from "../duckdb/duckdb-sql.js";
import { type FastImport, fastImportPath, importStaged } from "./duckdb-staged-import.js";
import { type FastCsvLayout, fastCsvLayout } from "./fast-csv-layout.js";
import { symbolOfFileName } from "./import-names.js";
import type { Settings } from "./import-options.js";
import type { PlannedFile } from "./import-plan.js";
import { readHead } from "./sniff.js";

/** The bytes the scan reads at a time. */
const SCAN_CHUNK = 4 << 20;

/**
 * Whether the file's bytes after `from` hold nothing DuckDB would read more leniently than the
 * parser (`_` in a number, `+-`, and for epoch times an exponent) and no line longer than `max`
 * bytes (the parser's limit counts a line's CR; bytes are at least its UTF-16 units). Native
 * `indexOf`/`lastIndexOf` jump over the text, so this costs a fraction of a read.
 */
export async function bytesFitFastPath(
  path: string,
  from: number,
  max: number,
  newline: number,
  epoch: boolean,
): Promise<boolean> {
  const handle = await open(path, "r");
  try {
    const buffer = Buffer.allocUnsafe(SCAN_CHUNK + 1);
    /** Absolute offset where the current line starts. */
    let lineStart = from;
    let base = from;
    for (;;) {
      // One byte of overlap, so `+-` split between two reads is seen.
      const keep = base > from ? 1 : 0;
      const { bytesRead } = await handle.read(buffer, keep, SCAN_CHUNK, base);
      if (bytesRead === 0) return base - lineStart <= max;
      const view = buffer.subarray(0, keep + bytesRead);
      if (view.indexOf(95) >= 0 || view.indexOf("+-") >= 0) return false;
      if (epoch && (view.indexOf(101) >= 0 || view.indexOf(69) >= 0)) return false;
      const offset = base - keep;
      const end = base + bytesRead;
      // Jump from line start to the last line end within `max` bytes of it: every line between
      // is shorter; none within reach means a line over the limit.
      while (end - lineStart > max) {
        const reach = lineStart + max - offset;
        const nl = view.lastIndexOf(newline, reach);
        if (nl < 0 || nl + offset < lineStart) return false;
        lineStart = nl + offset + 1;
      }
      buffer[0] = view[view.length - 1]!;
      base = end;
    }
  } finally {
    await handle.close();
  }
}

/** The SELECT that reads the file typed into the stage's columns. */
function readCsvSql(path: string, layout: FastCsvLayout, settings: Settings): string {
  const scale = settings.options.priceScale ?? 1;
  const types: string[] = [];
  for (let i = 0; i < layout.width; i++) {
    const numeric =
      i === layout.open ||
      i === layout.high ||
      i === layout.low ||
      i === layout.close ||
      i === layout.volume ||
      (i === layout.time && layout.shape.kind === "epoch");
    types.push(`'c${i}': '${numeric ? "DOUBLE" : "VARCHAR"}'`);
  }
  const t = `c${layout.time}`;
  const shape = layout.shape;
  // A time the strict format does not fit exactly yields NULL, which the stage's NOT NULL refuses.
  const ms =
    shape.kind === "iso"
      ? `CASE WHEN length(${t}) = ${shape.length} THEN epoch_ms(strptime(${t}, ${sqlString(shape.format)}))::DOUBLE END`
      : // The parser's epochToMs; only times of 1e9 and more (2001 in seconds) pass, so the
        // rounding of ties (DuckDB away from zero, JavaScript up) never differs.
        `CASE WHEN ${t} < 1e9 THEN NULL WHEN ${t} < 1e11 THEN round(${t} * 1000) WHEN ${t} < 1e14 THEN ${t} WHEN ${t} < 1e17 THEN round(${t} / 1000) ELSE round(${t} / 1e6) END`;
  const price = (i: number) => (scale === 1 ? `c${i}` : `c${i} / ${scale}`);
  const volume = layout.volume >= 0 ? `c${layout.volume}` : "0::DOUBLE";
  const maxLine = Math.max(2_097_152, settings.maxLineBytes + 16);
  return `SELECT ${ms} + ${settings.timeShift} AS time, ${price(layout.open)} AS open,
      ${price(layout.high)} AS high, ${price(layout.low)} AS low, ${price(layout.close)} AS close,
      ${volume} AS volume
    FROM read_csv(${sqlString(path)}, columns = {${types.join(", ")}}, header = ${layout.header},
      delim = ${sqlString(layout.delimiter)}, quote = '"', escape = '"', auto_detect = false,
      max_line_size = ${maxLine}, parallel = true)`;
}

/**
 * Imports one planned CSV file on the DuckDB path when the store is a DuckDB store and the file
 * qualifies; resolves to why not (a reason, nothing written, nothing staged) when the file must
 * take the JavaScript reader's path instead. Throws {@link ReadInterrupted} when `signal` fires.
 */
export async function importCsvWithDuckDb(
  store: BarStore,
  planned: PlannedFile,
  settings: Settings,
  signal: AbortSignal | undefined,
): Promise<FastImport | string> {
  if (!fastImportPath.enabled) return "disabled";
  if (planned.container !== "text") return "not a text file";
  const { path } = planned;
  const head = Buffer.from(await readHead(path)).toString("utf8");
  const layout = fastCsvLayout(head, planned.format, settings);
  if (layout === undefined) return "layout";
  const afterHeader = layout.header ? Buffer.byteLength(head.split(/\r\n|\n|\r/, 1)[0]!) : 0;
  if (afterHeader > settings.maxLineBytes) return "long line";
  const size = (await stat(path)).size;
  const symbol = settings.symbol ?? symbolOfFileName(path);
  return importStaged(store, path, settings, signal, size, {
    symbol,
    format: planned.format,
    volume: layout.volume >= 0,
    stage: async (writer) => {
      // The byte scan runs on this thread while DuckDB reads the file on its own.
      const [fit, sid] = await Promise.all([
        bytesFitFastPath(
          path,
          afterHeader,
          settings.maxLineBytes,
          layout.newline,
          layout.shape.kind === "epoch",
        ),
        writer
          .stageSelect(symbol, readCsvSql(path, layout, settings))
          .catch(
            (e: unknown) =>
              `rejected by read_csv: ${(e instanceof Error ? e.message : String(e)).split("\n")[0]}`,
          ),
      ]);
      return fit ? sid : "bytes";
    },
  });
}
