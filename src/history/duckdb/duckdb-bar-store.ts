import { resolve } from "node:path";
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import type { Bar } from "../../domain/bar.js";
import { SessiondataError } from "../../domain/errors.js";
import { checkTimeRange } from "../bar-chunk.js";
import type { BarChunk, BarStore, Coverage, ScanOptions } from "../bar-store.js";
import type { BarBulkWriter } from "../bulk-writer.js";
import { barsOfColumns, checkSymbol } from "../bulk-writer.js";
import { type BulkWriterHost, DuckDbBulkWriter, STAGE_DDL } from "./duckdb-bulk-writer.js";
import { DEFAULT_WINDOW_ROWS, scanDuckDb, timeBound } from "./duckdb-scan.js";
import { copyFromVector } from "./duckdb-vectors.js";

const SCHEMA_VERSION = "1";

/**
 * Database files open in this process. DuckDB's file lock is per process, so a second instance
 * on the same file would not be stopped and the two would overwrite each other's writes.
 */
const openFiles = new Set<string>();

// No primary key on purpose: an ART index over (sid, time) costs tens of bytes a row in memory
// and slows bulk loads; upserts delete the replaced (sid, time) pairs instead (see the writer).
const SCHEMA = [
  "CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)",
  "CREATE TABLE IF NOT EXISTS symbols (id INTEGER PRIMARY KEY, name VARCHAR NOT NULL UNIQUE)",
  `CREATE TABLE IF NOT EXISTS bars (sid INTEGER NOT NULL, time BIGINT NOT NULL,
     open DOUBLE NOT NULL, high DOUBLE NOT NULL, low DOUBLE NOT NULL, close DOUBLE NOT NULL,
     volume DOUBLE NOT NULL)`,
  `INSERT INTO meta VALUES ('schema_version', '${SCHEMA_VERSION}') ON CONFLICT DO NOTHING`,
];

/** Tuning of a {@link DuckDbBarStore}. */
export interface DuckDbBarStoreOptions {
  /**
   * About how many rows one sorted window of a `scan` holds at most (default 500,000, never
   * less than one UTC day of the scanned symbols). A scan's first window is its first UTC day,
   * and the next ones grow from a quarter of this size, so replay starts after a small sort.
   * Larger windows sort less often; smaller ones bound memory tighter.
   */
  readonly scanWindowRows?: number;
}

/** The symbol's first and last bar and count, for every stored symbol (see {@link DuckDbBarStore.summary}). */
export interface SymbolSummary extends Coverage {
  readonly symbol: string;
}

/**
 * The {@link BarStore} on an embedded DuckDB database: a file (the CLI's default is
 * `sessiondata.duckdb`) or `":memory:"`. Bars live in one table `bars(sid, time, open, high, low,
 * close, volume)` with symbols in `symbols(id, name)`; times are epoch milliseconds as BIGINT.
 * Writes go through the Appender into a staging table and commit in one transaction; reads use
 * DuckDB's chunked columnar results. One store object per database file.
 *
 * @example
 * ```ts
 * const store = await DuckDbBarStore.open("sessiondata.duckdb");
 * try {
 *   for await (const chunk of store.scan({ from, to })) replay(chunk);
 * } finally {
 *   await store.close();
 * }
 * ```
 */
export class DuckDbBarStore implements BarStore {
  readonly #instance: DuckDBInstance;
  readonly #main: DuckDBConnection;
  readonly #path: string;
  /** Symbol ids whose `symbols` row is committed, and every id handed out (committed or not). */
  readonly #committed = new Set<number>();
  readonly #ids = new Map<string, number>();
  readonly #names = new Map<number, string>();
  #nextId = 0;
  #idle: DuckDBConnection | undefined;
  #tail: Promise<unknown> = Promise.resolve();
  #closed = false;
  readonly #scans = new Set<DuckDBConnection>();
  readonly #windowRows: number;

  private constructor(
    instance: DuckDBInstance,
    main: DuckDBConnection,
    path: string,
    options: DuckDbBarStoreOptions,
  ) {
    this.#instance = instance;
    this.#main = main;
    this.#path = path;
    this.#windowRows = options.scanWindowRows ?? DEFAULT_WINDOW_ROWS;
  }

  /**
   * Opens (creating when absent) the database at `path`, or a private in-memory one for
   * `":memory:"`.
   */
  static async open(path: string, options: DuckDbBarStoreOptions = {}): Promise<DuckDbBarStore> {
    const key = path === ":memory:" ? undefined : resolve(path);
    if (key !== undefined && openFiles.has(key)) {
      throw new SessiondataError(
        `${path} is already open in this process: share that DuckDbBarStore instead of opening it twice`,
      );
    }
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(path);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new SessiondataError(`cannot open the DuckDB database ${path}: ${reason}`, {
        cause: error,
      });
    }
    const main = await instance.connect();
    for (const sql of SCHEMA) await main.run(sql);
    const version = await main.runAndReadAll("SELECT value FROM meta WHERE key = 'schema_version'");
    const found = String(version.getRows()[0]?.[0]);
    if (found !== SCHEMA_VERSION) {
      main.closeSync();
      instance.closeSync();
      throw new SessiondataError(
        `${path} has schema version ${found}; this sessiondata reads version ${SCHEMA_VERSION}`,
      );
    }
    const store = new DuckDbBarStore(instance, main, path, options);
    if (key !== undefined) openFiles.add(key);
    const rows = await main.runAndReadAll("SELECT id, name FROM symbols");
    for (const [id, name] of rows.getRows()) store.#register(Number(id), String(name), true);
    return store;
  }

  /** The path the store was opened with. */
  get path(): string {
    return this.#path;
  }

  #register(id: number, name: string, committed: boolean): void {
    this.#ids.set(name, id);
    this.#names.set(id, name);
    if (committed) this.#committed.add(id);
    if (id >= this.#nextId) this.#nextId = id + 1;
  }

  #check(): void {
    if (this.#closed) throw new SessiondataError(`the DuckDbBarStore ${this.#path} is closed`);
  }

  #exclusive<T>(task: () => Promise<T>): Promise<T> {
    this.#check();
    const run = this.#tail.then(task, task);
    this.#tail = run.catch(() => undefined);
    return run;
  }

  readonly #host: BulkWriterHost = {
    symbolId: (symbol) => {
      const known = this.#ids.get(symbol);
      if (known !== undefined) return known;
      const id = this.#nextId;
      this.#register(id, symbol, false);
      return id;
    },
    isCommitted: (sid) => this.#committed.has(sid),
    markCommitted: (sids) => {
      for (const sid of sids) this.#committed.add(sid);
    },
    nameOf: (sid) => this.#names.get(sid)!,
    exclusive: (task) => this.#exclusive(task),
    release: (connection) => {
      if (this.#closed || this.#idle !== undefined) connection.closeSync();
      else this.#idle = connection;
    },
  };

  /**
   * A writer for many bars of many symbols in one transaction, through DuckDB's Appender: the
   * path importers and the sample generator use. Nothing is visible before `commit`.
   */
  async bulkWriter(): Promise<BarBulkWriter> {
    return this.#openWriter();
  }

  async #openWriter(): Promise<DuckDbBulkWriter> {
    this.#check();
    let connection = this.#idle;
    this.#idle = undefined;
    if (connection === undefined) {
      connection = await this.#instance.connect();
      await connection.run(STAGE_DDL);
    }
    const appender = await connection.createAppender("stage", null, "temp");
    return new DuckDbBulkWriter(this.#host, connection, appender);
  }

  async writeBars(symbol: string, bars: readonly Bar[]): Promise<void> {
    this.#check();
    checkSymbol(symbol);
    const n = bars.length;
    const columns = {
      time: new Float64Array(n),
      open: new Float64Array(n),
      high: new Float64Array(n),
      low: new Float64Array(n),
      close: new Float64Array(n),
      volume: new Float64Array(n),
    };
    for (let i = 0; i < n; i++) {
      const b = bars[i]!;
      // Non-numbers become NaN here and are refused by validation with the field named.
      columns.time[i] = typeof b?.time === "number" ? b.time : Number.NaN;
      columns.open[i] = typeof b?.open === "number" ? b.open : Number.NaN;
      columns.high[i] = typeof b?.high === "number" ? b.high : Number.NaN;
      columns.low[i] = typeof b?.low === "number" ? b.low : Number.NaN;
      columns.close[i] = typeof b?.close === "number" ? b.close : Number.NaN;
      columns.volume[i] = typeof b?.volume === "number" ? b.volume : Number.NaN;
    }
    if (n === 0) return;
    await this.#exclusive(async () => {
      const writer = await this.#openWriter();
      try {
        writer.append(symbol, columns, n);
        await writer.commitHoldingTurn();
      } catch (error) {
        await writer.abort();
        throw error;
      }
    });
  }

  async readBars(symbol: string, from: number, to: number): Promise<Bar[]> {
    checkTimeRange("readBars", from, to);
    return this.#exclusive(async () => {
      const sid = this.#ids.get(symbol);
      if (sid === undefined || !this.#committed.has(sid) || !(from < to)) return [];
      const result = await this.#main.stream(
        `SELECT CAST(time AS DOUBLE), open, high, low, close, volume FROM bars
         WHERE sid = ${sid} AND time >= ${timeBound(from)} AND time < ${timeBound(to)} ORDER BY time`,
      );
      const parts: Bar[][] = [];
      for (;;) {
        const chunk = await result.fetchChunk();
        if (chunk === null || chunk.rowCount === 0) break;
        const n = chunk.rowCount;
        const column = (c: number): Float64Array => {
          const out = new Float64Array(n);
          copyFromVector(chunk.getColumnVector(c), 0, out, 0, n);
          return out;
        };
        parts.push(
          barsOfColumns(
            {
              time: column(0),
              open: column(1),
              high: column(2),
              low: column(3),
              close: column(4),
              volume: column(5),
            },
            n,
          ),
        );
      }
      return parts.flat();
    });
  }

  /**
   * Streams `[from, to)` in (time, symbol) order. Chunks hold at most 2,048 bars (DuckDB's
   * vector size; a smaller `chunkSize` is honoured), so fetching the next overlaps the
   * consumer's work on the current one.
   */
  scan(options: ScanOptions): AsyncIterable<BarChunk> {
    this.#check();
    const names = new Map<number, string>();
    for (const sid of this.#committed) names.set(sid, this.#names.get(sid)!);
    return scanDuckDb(
      {
        connect: async () => {
          this.#check();
          const c = await this.#instance.connect();
          this.#scans.add(c);
          return c;
        },
        disconnect: (c) => {
          if (this.#scans.delete(c)) c.closeSync();
        },
      },
      names,
      options,
      this.#windowRows,
    );
  }

  async symbols(): Promise<string[]> {
    this.#check();
    return [...this.#committed].map((sid) => this.#names.get(sid)!).sort();
  }

  async coverage(symbol: string): Promise<Coverage | undefined> {
    return this.#exclusive(async () => {
      const sid = this.#ids.get(symbol);
      if (sid === undefined || !this.#committed.has(sid)) return undefined;
      const reader = await this.#main.runAndReadAll(
        `SELECT CAST(min(time) AS DOUBLE), CAST(max(time) AS DOUBLE), CAST(count(*) AS DOUBLE)
         FROM bars WHERE sid = ${sid}`,
      );
      const [first, last, count] = reader.getRows()[0]!.map(Number) as [number, number, number];
      return count > 0 ? { first, last, count } : undefined;
    });
  }

  /** Every symbol's coverage in one query, sorted by symbol: what `sessiondata info` lists. */
  async summary(): Promise<SymbolSummary[]> {
    return this.#exclusive(async () => {
      const reader = await this.#main.runAndReadAll(
        `SELECT sid, CAST(min(time) AS DOUBLE), CAST(max(time) AS DOUBLE), CAST(count(*) AS DOUBLE)
         FROM bars GROUP BY sid`,
      );
      return reader
        .getRows()
        .map(([sid, first, last, count]) => ({
          symbol: this.#names.get(Number(sid))!,
          first: Number(first),
          last: Number(last),
          count: Number(count),
        }))
        .sort((a, b) => (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0));
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    await this.#tail;
    this.#closed = true;
    // A scan still open fails on its next fetch and closes its own connections; closing them
    // here while a query may run would take the process down.
    for (const c of this.#scans) c.interrupt();
    this.#idle?.closeSync();
    this.#idle = undefined;
    this.#main.closeSync();
    this.#instance.closeSync();
    if (this.#path !== ":memory:") openFiles.delete(resolve(this.#path));
  }
}
