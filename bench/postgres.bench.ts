/**
 * `npm run bench -- postgres`: the PostgreSQL store beside the DuckDB store in the same run, on
 * 500 symbols × 21 XNYS sessions (January 2024, about 4.1 M bars), generated once into a DuckDB
 * file. Needs the server at $SESSIONDATA_TEST_PG_URL (default postgres://postgres@127.0.0.1/test);
 * it works in a schema of its own, dropped at the end.
 *
 * - import: the same per-symbol columns through each store's bulk writer (append, commit), the
 *   path `import`, `copy` and `generate` take; PostgreSQL's split into COPY staging and merge,
 *   beside the same import on a store allowed one connection (the new month loaded by INSERT …
 *   SELECT rather than COPY out and in over two connections);
 * - scan: every bar into JavaScript columns (`store.scan`), beside a bare binary COPY of the same
 *   ordered query that only counts bytes (what decoding costs on top of the wire);
 * - replay + analysis: a backtest of the 21 sessions with SMA-50, EMA-20, RSI-14 from each store;
 * - 1, 2 and 4 concurrent full scans of the PostgreSQL store: aggregate bars/s, this process's
 *   CPU and the server backends' CPU (from /proc), to see which side saturates first.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import pg from "pg";
import { to as copyTo } from "pg-copy-streams";
import { AnalysisEngine } from "../src/analysis/public.js";
import { xnysCalendar as calendar } from "../src/calendar/xnys.js";
import type { BarStore } from "../src/history/bar-store.js";
import type { BarColumns } from "../src/history/bulk-writer.js";
import { DuckDbBarStore, generateSampleBars, PostgresBarStore } from "../src/history/public.js";
import { SessionData } from "../src/store/public.js";
import { BacktestStreamCoordinator } from "../src/stream/public.js";

const PG_URL = process.env.SESSIONDATA_TEST_PG_URL || "postgres://postgres@127.0.0.1:5432/test";
const SCHEMA = `sd_bench_${process.pid}`;
const INDICATORS = ["sma:50", "ema:20", "rsi:14"];
const SYMBOLS = 500;

const rate = (n: number, ms: number): string => `${(((n / ms) * 1000) / 1e6).toFixed(2)} M/s`;
const secs = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const value = await work();
  return [value, performance.now() - t0];
}

/** Every symbol's bars as columns, read once from the DuckDB file. */
async function loadColumns(store: BarStore): Promise<Map<string, BarColumns & { n: number }>> {
  const parts = new Map<string, number[][]>();
  for await (const c of store.scan({ from: 0, to: Number.POSITIVE_INFINITY })) {
    for (let i = 0; i < c.length; i++) {
      const s = c.symbol[i]!;
      let p = parts.get(s);
      if (p === undefined) parts.set(s, (p = [[], [], [], [], [], []]));
      p[0]!.push(c.time[i]!);
      p[1]!.push(c.open[i]!);
      p[2]!.push(c.high[i]!);
      p[3]!.push(c.low[i]!);
      p[4]!.push(c.close[i]!);
      p[5]!.push(c.volume[i]!);
    }
  }
  const out = new Map<string, BarColumns & { n: number }>();
  for (const [s, p] of parts) {
    const [time, open, high, low, close, volume] = p.map((a) => Float64Array.from(a));
    out.set(s, {
      n: time!.length,
      time: time!,
      open: open!,
      high: high!,
      low: low!,
      close: close!,
      volume: volume!,
    });
  }
  return out;
}

/** Appends every symbol, then commits: [append ms, commit ms]. */
async function bulkImport(
  store: DuckDbBarStore | PostgresBarStore,
  columns: Map<string, BarColumns & { n: number }>,
): Promise<[number, number]> {
  const writer = await store.bulkWriter();
  const t0 = performance.now();
  for (const [s, c] of columns) writer.append(s, c, c.n);
  const t1 = performance.now();
  await writer.commit();
  return [t1 - t0, performance.now() - t1];
}

/** A full scan into JS columns, touching every chunk; resolves to the bar count. */
async function scanAll(store: BarStore): Promise<number> {
  let n = 0;
  let sink = 0;
  for await (const c of store.scan({ from: 0, to: Number.POSITIVE_INFINITY })) {
    n += c.length;
    sink += c.close[c.length - 1]! + c.symbol.length;
  }
  if (sink === -1) console.log(sink);
  return n;
}

/** The scan's query, bare: binary COPY bytes counted, nothing decoded. */
async function bareCopy(): Promise<number> {
  const client = new pg.Client({ connectionString: PG_URL, options: "-c jit=off" });
  await client.connect();
  try {
    let bytes = 0;
    const stream = client.query(
      copyTo(`COPY (SELECT sid, time, open, high, low, close, volume, provenance FROM "${SCHEMA}".bars
        ORDER BY time, sid) TO STDOUT (FORMAT binary)`),
    );
    for await (const data of stream) bytes += (data as Buffer).length;
    return bytes;
  } finally {
    await client.end();
  }
}

async function replay(
  store: BarStore,
  dates: readonly string[],
): Promise<{ bars: number; barsPerSecond: number }> {
  const sessionData = new SessionData({ calendar });
  const analysisEngine = new AnalysisEngine({ sessionData, indicators: INDICATORS });
  const report = await new BacktestStreamCoordinator({
    barStore: store,
    sessionData,
    calendar,
    from: dates[0]!,
    to: dates[dates.length - 1]!,
    analysisEngine,
  }).run();
  return { bars: report.bars, barsPerSecond: report.barsPerSecond };
}

/** CPU seconds (user + system) a process has used, from /proc/PID/stat; 0 when unreadable. */
function procCpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    // utime and stime are fields 14 and 15 of the whole line: 12 and 13 after "pid (comm) ".
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

async function backendPids(admin: pg.Client): Promise<number[]> {
  const rows = await admin.query<{ pid: number }>(
    "SELECT pid FROM pg_stat_activity WHERE application_name = $1",
    [`sessiondata/${SCHEMA}`],
  );
  return rows.rows.map((r) => r.pid);
}

async function concurrentScans(
  n: number,
  admin: pg.Client,
): Promise<{ bars: number; ms: number; clientCpu: number; serverCpu: number }> {
  const store = await PostgresBarStore.open({
    url: PG_URL,
    schema: SCHEMA,
    maxConnections: n,
    readOnly: true,
  });
  try {
    // Open n connections first, so their backends' CPU is read before and after the scans.
    await Promise.all(Array.from({ length: n }, () => store.symbols()));
    const pids = await backendPids(admin);
    const before = pids.map(procCpuSeconds);
    const cpu0 = process.cpuUsage();
    const [counts, ms] = await timed(() =>
      Promise.all(Array.from({ length: n }, () => scanAll(store))),
    );
    const cpu = process.cpuUsage(cpu0);
    const server = pids.reduce((sum, pid, i) => sum + procCpuSeconds(pid) - before[i]!, 0);
    return {
      bars: counts.reduce((a, b) => a + b, 0),
      ms,
      clientCpu: (cpu.user + cpu.system) / 1000 / ms,
      serverCpu: (server * 1000) / ms,
    };
  } finally {
    await store.close();
  }
}

export async function run(): Promise<void> {
  const probe = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 2000 });
  try {
    await probe.connect();
  } catch (error) {
    console.log(
      `skipped: no PostgreSQL at ${PG_URL} (${(error as Error).message}); set SESSIONDATA_TEST_PG_URL`,
    );
    return;
  }
  const admin = probe;
  const dir = mkdtempSync(join(tmpdir(), "sessiondata-pg-bench-"));
  const dates = calendar.sessionsBetween("2024-01-02", "2024-12-31").slice(0, 21);
  try {
    await admin.query(`DROP SCHEMA IF EXISTS "${SCHEMA}" CASCADE`);
    const sourcePath = join(dir, "source.duckdb");
    const source = await DuckDbBarStore.open(sourcePath);
    await generateSampleBars(source, {
      symbols: SYMBOLS,
      from: dates[0]!,
      to: dates[20]!,
      seed: 1,
      calendar,
    });
    const columns = await loadColumns(source);
    await source.close();
    let total = 0;
    for (const c of columns.values()) total += c.n;
    console.log(
      `${columns.size} symbols × ${dates.length} sessions: ${total.toLocaleString("en-US")} bars`,
    );

    const duck = await DuckDbBarStore.open(join(dir, "import.duckdb"));
    const [duckAppend, duckCommit] = await bulkImport(duck, columns);
    // The same import on a store allowed one connection: a new month then loads through
    // INSERT … SELECT on the merge's connection (the path before the two-connection load).
    const single = await PostgresBarStore.open({
      url: PG_URL,
      schema: `${SCHEMA}_one`,
      maxConnections: 1,
    });
    const [oneAppend, oneCommit] = await bulkImport(single, columns);
    await single.close();
    await admin.query(`DROP SCHEMA IF EXISTS "${SCHEMA}_one" CASCADE`);
    const pgStore = await PostgresBarStore.open({ url: PG_URL, schema: SCHEMA });
    const [pgAppend, pgCommit] = await bulkImport(pgStore, columns);
    columns.clear();
    console.log("\nimport (bulk writer: append + commit)");
    console.log(
      `  DuckDB      ${secs(duckAppend + duckCommit)}  ${rate(total, duckAppend + duckCommit)} rows/s`,
    );
    console.log(
      `  PostgreSQL  ${secs(pgAppend + pgCommit)}  ${rate(total, pgAppend + pgCommit)} rows/s` +
        `  (append = binary COPY staging ${secs(pgAppend)}, commit = drain + partitions + ANALYZE + merge ${secs(pgCommit)})`,
    );
    console.log(
      `  PostgreSQL, one connection  ${secs(oneAppend + oneCommit)}  ${rate(total, oneAppend + oneCommit)} rows/s` +
        `  (staging ${secs(oneAppend)}, merge ${secs(oneCommit)}; two connections: ${((oneAppend + oneCommit) / (pgAppend + pgCommit)).toFixed(2)}× faster)`,
    );
    await admin.query(`VACUUM ANALYZE "${SCHEMA}".bars`);

    console.log("\nscan into columns (best of 2)");
    let duckScan = Number.POSITIVE_INFINITY;
    let pgScan = Number.POSITIVE_INFINITY;
    let bare = Number.POSITIVE_INFINITY;
    let bytes = 0;
    for (let i = 0; i < 2; i++) {
      duckScan = Math.min(duckScan, (await timed(() => scanAll(duck)))[1]);
      pgScan = Math.min(pgScan, (await timed(() => scanAll(pgStore)))[1]);
      const [b, ms] = await timed(bareCopy);
      bytes = b;
      bare = Math.min(bare, ms);
    }
    console.log(`  DuckDB scan               ${secs(duckScan)}  ${rate(total, duckScan)} bars/s`);
    console.log(`  PostgreSQL scan           ${secs(pgScan)}  ${rate(total, pgScan)} bars/s`);
    console.log(
      `  PostgreSQL bare COPY      ${secs(bare)}  ${rate(total, bare)} bars/s (${(bytes / 1e6).toFixed(0)} MB, not decoded: scan/bare ${(pgScan / bare).toFixed(2)}×)`,
    );

    console.log("\nreplay + analysis (SMA-50, EMA-20, RSI-14)");
    const rDuck = await replay(duck, dates);
    const rPg = await replay(pgStore, dates);
    console.log(
      `  from DuckDB      ${rate(rDuck.barsPerSecond, 1000)} bars/s (${rDuck.bars.toLocaleString("en-US")} bars)`,
    );
    console.log(
      `  from PostgreSQL  ${rate(rPg.barsPerSecond, 1000)} bars/s (${rPg.bars.toLocaleString("en-US")} bars; ${(rPg.barsPerSecond / rDuck.barsPerSecond).toFixed(2)}× DuckDB)`,
    );
    await duck.close();
    await pgStore.close();

    console.log(
      "\nconcurrent full scans of PostgreSQL on loopback (CPU in cores: this process | server backends)",
    );
    for (const n of [1, 2, 4]) {
      const r = await concurrentScans(n, admin);
      console.log(
        `  ${n} scan${n === 1 ? " " : "s"}  ${secs(r.ms)}  ${rate(r.bars, r.ms)} bars/s in all  ` +
          `client ${r.clientCpu.toFixed(2)} | server ${r.serverCpu.toFixed(2)}`,
      );
    }
  } finally {
    await admin.query(`DROP SCHEMA IF EXISTS "${SCHEMA}" CASCADE`).catch(() => undefined);
    await admin.query(`DROP SCHEMA IF EXISTS "${SCHEMA}_one" CASCADE`).catch(() => undefined);
    await admin.end();
    rmSync(dir, { recursive: true, force: true });
  }
}
