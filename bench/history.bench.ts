/**
 * `npm run bench -- history`: the DuckDB bar store's bulk paths, each beside DuckDB doing the
 * same work alone in the same run:
 * - import: `importFile` of a generated 10 M-row CSV on its DuckDB path (one `read_csv` statement
 *   into the stage, the rules checked in SQL, one transaction), the same import on the
 *   JavaScript parser's path (parse, validate, Appender staging, one transaction: the path of
 *   every file before), and DuckDB's own multi-threaded `read_csv` of the same file into a table;
 * - scan: `store.scan` of every bar into JavaScript columns (Float64Arrays and a symbol array,
 *   ordered by time then symbol) against a bare chunk loop over the same ordered query that
 *   only touches each chunk's row count;
 * - sample data: `generateSampleBars` of 500 symbols × 21 XNYS sessions (4 M bars), then a scan
 *   of that many-symbol store (the replay shape) against the same bare query;
 * - a hostile file: `importFile` refusing a CSV that is one 200 MB line (time, and the growth of
 *   the process's resident memory while it runs) against a bare stream read of the same file.
 * Files live in a temp folder removed at the end.
 */
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { xnysCalendar } from "../src/calendar/xnys.js";
import { DuckDbBarStore } from "../src/history/duckdb/duckdb-bar-store.js";
import { fastImportPath } from "../src/history/import/duckdb-staged-import.js";
import { importFile } from "../src/history/import/import-file.js";
import { generateSampleBars } from "../src/history/sample/sample-data.js";

const ROWS = 10_000_000;

const rate = (n: number, ms: number): string => `${(((n / ms) * 1000) / 1e6).toFixed(2)} M/s`;
const secs = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

/** Writes the benchmark CSV with DuckDB (fast): one symbol, ISO minute times, prices in cents. */
async function writeCsv(path: string, rows: number): Promise<void> {
  const instance = await DuckDBInstance.create(":memory:");
  const c = await instance.connect();
  await c.run(
    `COPY (SELECT strftime(TIMESTAMP '2000-01-01' + INTERVAL (i) MINUTE, '%Y-%m-%d %H:%M:%S') AS timestamp,
       round(100 + 10 * sin(i / 1000.0), 2) AS open,
       round(100 + 10 * sin(i / 1000.0), 2) + 0.05 AS high,
       round(100 + 10 * sin(i / 1000.0), 2) - 0.05 AS low,
       round(100 + 10 * sin(i / 1000.0), 2) + 0.01 AS close,
       100 + i % 997 AS volume
     FROM range(${rows}) t(i)) TO '${path}' (HEADER, DELIMITER ',')`,
  );
  c.closeSync();
  instance.closeSync();
}

/** A bare DuckDB read of `sql`: fetch every chunk, count rows, copy nothing. */
async function bareRead(c: DuckDBConnection, sql: string): Promise<number> {
  const result = await c.stream(sql);
  let n = 0;
  for (;;) {
    const chunk = await result.fetchChunk();
    if (chunk === null || chunk.rowCount === 0) return n;
    n += chunk.rowCount;
  }
}

async function time<T>(work: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const value = await work();
  return [value, performance.now() - t0];
}

/** `store.scan` of everything into JS columns, touching every chunk; resolves to the bar count. */
async function storeScan(db: string): Promise<number> {
  const store = await DuckDbBarStore.open(db);
  try {
    let n = 0;
    let sink = 0;
    for await (const chunk of store.scan({ from: 0, to: Number.POSITIVE_INFINITY })) {
      n += chunk.length;
      sink += chunk.close[chunk.length - 1]! + chunk.symbol.length;
    }
    if (sink === -1) console.log(sink);
    return n;
  } finally {
    await store.close();
  }
}

/** The same rows in the same order, read bare: one ordered query, chunks counted, nothing copied. */
async function bareScan(db: string): Promise<number> {
  const instance = await DuckDBInstance.create(db);
  const c = await instance.connect();
  try {
    return await bareRead(
      c,
      `SELECT CAST(sid AS DOUBLE), CAST(time AS DOUBLE), open, high, low, close, volume
       FROM bars ORDER BY time, sid`,
    );
  } finally {
    c.closeSync();
    instance.closeSync();
  }
}

/**
 * Both scans, alternated twice (each opens the file afresh, so both start equally cold); the
 * better run of each counts, which damps the noise of a shared machine.
 */
async function scanBoth(db: string, label: string, rows: string[][]): Promise<void> {
  let best = Number.POSITIVE_INFINITY;
  let bareBest = Number.POSITIVE_INFINITY;
  let count = 0;
  let bare = 0;
  for (let k = 0; k < 2; k++) {
    const [n, ms] = await time(() => storeScan(db));
    const [b, bareMs] = await time(() => bareScan(db));
    [count, bare] = [n, b];
    best = Math.min(best, ms);
    bareBest = Math.min(bareBest, bareMs);
  }
  rows.push(
    [
      `${label}: store.scan into JS columns`,
      count.toLocaleString("en-US"),
      secs(best),
      rate(count, best),
    ],
    [
      `${label}: bare DuckDB chunk read, same order`,
      bare.toLocaleString("en-US"),
      secs(bareBest),
      rate(bare, bareBest),
    ],
  );
}

/** Writes a CSV whose second line is `bytes` long, in 1 MiB pieces (never whole in memory). */
async function writeLongLine(path: string, bytes: number): Promise<void> {
  const out = createWriteStream(path);
  const piece = "9".repeat(1 << 20);
  const write = (text: string) =>
    new Promise<void>((done) => (out.write(text) ? done() : out.once("drain", done)));
  await write("time,open,high,low,close\n");
  for (let n = 0; n < bytes; n += piece.length) await write(piece);
  await write(",1,2,1,2\n");
  await new Promise((done) => out.end(done));
}

/** Runs `work`, sampling the resident set every 5 ms; resolves to [ms, peak growth in MiB]. */
async function withPeakRss(work: () => Promise<unknown>): Promise<[number, number]> {
  const before = process.memoryUsage().rss;
  let peak = before;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 5);
  const t0 = performance.now();
  await work().catch(() => undefined);
  const ms = performance.now() - t0;
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage().rss);
  return [ms, (peak - before) / 2 ** 20];
}

/** `importFile` refusing a 200 MB line against a bare stream read of the same file. */
async function longLine(dir: string, rows: string[][]): Promise<void> {
  const path = join(dir, "long-line.csv");
  const bytes = 200 << 20;
  await writeLongLine(path, bytes);
  const store = await DuckDbBarStore.open(":memory:");
  let message = "";
  const [ms, mib] = await withPeakRss(() =>
    importFile(store, path, { symbol: "LONG" }).catch((e: Error) => {
      message = e.message;
    }),
  );
  await store.close();
  const [bareMs, bareMib] = await withPeakRss(async () => {
    let n = 0;
    for await (const chunk of createReadStream(path, { encoding: "utf8", highWaterMark: 1 << 20 }))
      n += (chunk as string).length;
    return n;
  });
  rmSync(path);
  const refused = /longer than/.test(message) ? "refused" : `NOT refused (${message})`;
  rows.push(
    [`importFile of one 200 MB line: ${refused}, +${mib.toFixed(0)} MiB RSS`, "1", secs(ms), "-"],
    [`bare stream read of the same file, +${bareMib.toFixed(0)} MiB RSS`, "1", secs(bareMs), "-"],
  );
}

function table(rows: string[][]): void {
  const header = ["measure", "rows", "time", "throughput"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  console.log(line(header));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const r of rows) console.log(line(r));
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "sessiondata-history-bench-"));
  const rows: string[][] = [];
  try {
    console.log(
      `load average ${loadavg()
        .map((x) => x.toFixed(1))
        .join(" ")} (2 cores shared: figures vary)`,
    );
    const csv = join(dir, "bench.csv");
    await writeCsv(csv, ROWS);
    const mb = statSync(csv).size / 2 ** 20;
    console.log(`CSV: ${ROWS.toLocaleString("en-US")} rows, ${mb.toFixed(0)} MiB`);

    const db = join(dir, "import.duckdb");
    const store = await DuckDbBarStore.open(db);
    let took = "";
    fastImportPath.onOutcome = (_, outcome) => {
      took = outcome;
    };
    const [result, importMs] = await time(() => importFile(store, csv, { symbol: "BENCH" }));
    fastImportPath.onOutcome = undefined;
    await store.close();
    rows.push([
      `importFile (CSV → DuckDbBarStore file; DuckDB path: ${took})`,
      result.rows.toLocaleString("en-US"),
      secs(importMs),
      rate(result.rows, importMs),
    ]);

    const parserDb = join(dir, "import-parser.duckdb");
    const parserStore = await DuckDbBarStore.open(parserDb);
    fastImportPath.enabled = false;
    const [parsed, parserMs] = await time(() =>
      importFile(parserStore, csv, { symbol: "BENCH" }).finally(() => {
        fastImportPath.enabled = true;
      }),
    );
    await parserStore.close();
    rmSync(parserDb);
    rows.push([
      "importFile on the JavaScript parser's path (same file)",
      parsed.rows.toLocaleString("en-US"),
      secs(parserMs),
      rate(parsed.rows, parserMs),
    ]);

    const baseline = await DuckDBInstance.create(join(dir, "read_csv.duckdb"));
    const c = await baseline.connect();
    const [, csvMs] = await time(() =>
      c.run(`CREATE TABLE t AS SELECT * FROM read_csv('${csv}', header = true)`),
    );
    const n = Number((await c.runAndReadAll("SELECT count(*) FROM t")).getRows()[0]![0]);
    c.closeSync();
    baseline.closeSync();
    rows.push([
      "DuckDB read_csv (same file → table)",
      n.toLocaleString("en-US"),
      secs(csvMs),
      rate(n, csvMs),
    ]);
    rmSync(csv);

    await scanBoth(db, "1 symbol", rows);

    const sampleDb = join(dir, "sample.duckdb");
    const sample = await DuckDbBarStore.open(sampleDb);
    const [gen, genMs] = await time(() =>
      generateSampleBars(sample, {
        symbols: 500,
        from: "2024-01-02",
        to: "2024-01-31",
        seed: 1,
        calendar: xnysCalendar,
      }),
    );
    await sample.close();
    rows.push([
      "generateSampleBars (500 symbols × 21 sessions)",
      gen.bars.toLocaleString("en-US"),
      secs(genMs),
      rate(gen.bars, genMs),
    ]);
    await scanBoth(sampleDb, "500 symbols", rows);
    await longLine(dir, rows);
    table(rows);
    console.log(
      "goal: CSV import ≥ 4 M rows/s beside read_csv alone; scan ≥ 5 M bars/s into JS columns; generate 4 M bars in a few seconds; a 200 MB line refused in far less than reading it, in bounded memory",
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
