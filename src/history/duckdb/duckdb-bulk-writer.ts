import type { DuckDBAppender, DuckDBConnection } from "@duckdb/node-api";
import type { BarBulkWriter, BarColumns } from "../bulk-writer.js";
import { checkSymbol, validateColumns } from "../bulk-writer.js";
import { StageChunks, VECTOR_SIZE } from "./duckdb-vectors.js";

/** What a {@link DuckDbBulkWriter} needs of its store (kept internal to the history layer). */
export interface BulkWriterHost {
  /** The id of a symbol, reserving a new one for a symbol not yet stored. */
  symbolId(symbol: string): number;
  /** Whether the id belongs to a symbol whose row in `symbols` is committed. */
  isCommitted(sid: number): boolean;
  /** Records that the symbols' rows were committed. */
  markCommitted(sids: readonly number[]): void;
  /** The symbol name of an id. */
  nameOf(sid: number): string;
  /** Runs `task` while no other write or read of the store runs. */
  exclusive<T>(task: () => Promise<T>): Promise<T>;
  /** Gives the staging connection back once the writer is done with it. */
  release(connection: DuckDBConnection): void;
}

/** SQL for the staging table each writer connection owns. */
export const STAGE_DDL =
  "CREATE TEMP TABLE IF NOT EXISTS stage (sid INTEGER NOT NULL, time DOUBLE NOT NULL, " +
  "open DOUBLE NOT NULL, high DOUBLE NOT NULL, low DOUBLE NOT NULL, close DOUBLE NOT NULL, " +
  "volume DOUBLE NOT NULL)";

interface Span {
  lo: number;
  hi: number;
  last: number;
}

/**
 * The DuckDB bulk path: rows go through the Appender into a connection-private temp table (so
 * nothing is visible and the JavaScript heap holds no rows), and `commit` moves them into `bars`
 * in one transaction: delete the (symbol, time) pairs being replaced, insert the new rows. A
 * killed process never commits, and DuckDB's WAL drops uncommitted work on the next open.
 */
export class DuckDbBulkWriter implements BarBulkWriter {
  readonly #host: BulkWriterHost;
  #connection: DuckDBConnection | undefined;
  #appender: DuckDBAppender | undefined;
  #rows = 0;
  /** Per symbol id: the staged time range and the last staged time (to spot duplicates). */
  readonly #spans = new Map<number, Span>();
  #duplicates = false;
  readonly #chunks = new StageChunks();

  constructor(host: BulkWriterHost, connection: DuckDBConnection, appender: DuckDBAppender) {
    this.#host = host;
    this.#connection = connection;
    this.#appender = appender;
  }

  get rows(): number {
    return this.#rows;
  }

  append(symbol: string, columns: BarColumns, n: number, validated = false): void {
    const appender = this.#appender;
    if (appender === undefined) throw new Error("the bulk writer is already committed or aborted");
    if (validated) checkSymbol(symbol);
    else validateColumns(symbol, columns, n);
    if (n === 0) return;
    const sid = this.#host.symbolId(symbol);
    const cols = [
      columns.time,
      columns.open,
      columns.high,
      columns.low,
      columns.close,
      columns.volume,
    ];
    for (let from = 0; from < n; from += VECTOR_SIZE) {
      appender.appendDataChunk(this.#chunks.fill(sid, cols, from, Math.min(VECTOR_SIZE, n - from)));
    }
    const span = this.#spans.get(sid) ?? {
      lo: Number.POSITIVE_INFINITY,
      hi: Number.NEGATIVE_INFINITY,
      last: Number.NEGATIVE_INFINITY,
    };
    const time = columns.time;
    // Rows staged in strictly rising time per symbol cannot collide; anything else needs the
    // slower de-duplicating insert.
    let last = span.last;
    for (let i = 0; i < n; i++) {
      const t = time[i]!;
      if (t <= last) this.#duplicates = true;
      last = t;
      if (t < span.lo) span.lo = t;
      if (t > span.hi) span.hi = t;
    }
    span.last = last;
    this.#spans.set(sid, span);
    this.#rows += n;
  }

  async commit(): Promise<number> {
    return this.#commit(true);
  }

  /**
   * `commit` for a caller that already holds the store's exclusive turn (`writeBars`, which
   * holds it from start to end so concurrent calls land in the order they were made).
   */
  async commitHoldingTurn(): Promise<number> {
    return this.#commit(false);
  }

  async #commit(queue: boolean): Promise<number> {
    const connection = this.#connection;
    const appender = this.#appender;
    if (connection === undefined || appender === undefined) {
      throw new Error("the bulk writer is already committed or aborted");
    }
    this.#appender = undefined;
    try {
      appender.closeSync();
      if (this.#rows > 0) {
        if (queue) await this.#host.exclusive(() => this.#move(connection));
        else await this.#move(connection);
      }
      return this.#rows;
    } finally {
      await this.#finish(connection);
    }
  }

  async #move(connection: DuckDBConnection): Promise<void> {
    const sids = [...this.#spans.keys()];
    const fresh = sids.filter((sid) => !this.#host.isCommitted(sid));
    const replacing = sids.filter((sid) => this.#host.isCommitted(sid));
    await connection.run("BEGIN TRANSACTION");
    try {
      for (const sid of fresh) {
        await connection.run("INSERT INTO symbols VALUES ($id, $name)", {
          id: sid,
          name: this.#host.nameOf(sid),
        });
      }
      if (replacing.length > 0) {
        // Range predicates let DuckDB skip row groups by their min/max before the join.
        const ranges = replacing
          .map((sid) => {
            const s = this.#spans.get(sid)!;
            return `(b.sid = ${sid} AND b.time BETWEEN ${s.lo} AND ${s.hi})`;
          })
          .join(" OR ");
        await connection.run(
          `DELETE FROM bars b USING (SELECT DISTINCT sid, CAST(time AS BIGINT) AS time FROM temp.stage) s
           WHERE (${ranges}) AND b.sid = s.sid AND b.time = s.time`,
        );
      }
      const dedupe = this.#duplicates
        ? " QUALIFY row_number() OVER (PARTITION BY sid, time ORDER BY rowid DESC) = 1"
        : "";
      await connection.run(
        `INSERT INTO bars SELECT sid, CAST(time AS BIGINT), open, high, low, close, volume
         FROM temp.stage${dedupe}`,
      );
      await connection.run("COMMIT");
    } catch (error) {
      await connection.run("ROLLBACK").catch(() => undefined);
      throw error;
    }
    this.#host.markCommitted(fresh);
  }

  async abort(): Promise<void> {
    const connection = this.#connection;
    if (connection === undefined) return;
    try {
      this.#appender?.closeSync();
    } catch {
      // A failed flush has nothing to keep: the staging rows are dropped below anyway.
    }
    this.#appender = undefined;
    await this.#finish(connection);
  }

  async #finish(connection: DuckDBConnection): Promise<void> {
    this.#connection = undefined;
    this.#spans.clear();
    try {
      await connection.run("DELETE FROM temp.stage");
      this.#host.release(connection);
    } catch {
      connection.closeSync();
    }
  }
}
