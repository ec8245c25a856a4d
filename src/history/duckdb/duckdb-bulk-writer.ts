import type { DuckDBAppender, DuckDBConnection } from "@duckdb/node-api";
import type { BarBulkWriter, BarColumns } from "../bulk-writer.js";
import { checkAppend, checkSymbol } from "../bulk-writer.js";
import { setMetaSql } from "./duckdb-schema.js";
import { StageChunks, VECTOR_SIZE } from "./duckdb-vectors.js";

/**
 * One write's transaction, as the store runs it between its integrity marker and its checkpoint:
 * given the write's id, it commits the rows (stamped with that id) and returns each written
 * symbol's bar count after the write.
 */
export type WriteTransaction = (writeId: number) => Promise<Map<number, number>>;

/** What a {@link DuckDbBulkWriter} needs of its store (kept internal to the history layer). */
export interface BulkWriterHost {
  /** The id of a symbol (upper case), reserving a new one for a symbol not yet stored. */
  symbolId(symbol: string): number;
  /** Whether the id has a committed row in `symbols`. */
  isStored(sid: number): boolean;
  /** The symbol's committed bar count (0 for a new one). */
  barCount(sid: number): number;
  /** The symbol name of an id. */
  nameOf(sid: number): string;
  /** Runs `task` while no other write or read of the store runs. */
  exclusive<T>(task: () => Promise<T>): Promise<T>;
  /**
   * Runs a write's transaction under the store's crash protocol (marker, write id, checkpoint)
   * and records its outcome; called while holding the exclusive turn.
   */
  write(sids: readonly number[], rows: number, transaction: WriteTransaction): Promise<void>;
  /** Gives the staging connection back once the writer is done with it. */
  release(connection: DuckDBConnection): void;
}

/** SQL for the staging table each writer connection owns. */
export const STAGE_DDL =
  "CREATE TEMP TABLE IF NOT EXISTS stage (sid INTEGER NOT NULL, time DOUBLE NOT NULL, " +
  "open DOUBLE NOT NULL, high DOUBLE NOT NULL, low DOUBLE NOT NULL, close DOUBLE NOT NULL, " +
  "volume DOUBLE NOT NULL, provenance UTINYINT NOT NULL)";

interface Span {
  lo: number;
  hi: number;
  last: number;
}

/**
 * The DuckDB bulk path: rows go through the Appender into a connection-private temp table (so
 * nothing is visible and the JavaScript heap holds no rows), and `commit` moves them into `bars`
 * in one transaction: delete the (symbol, time) pairs being replaced, insert the new rows stamped
 * with the write's id, update the symbols' counts and `meta.last_write`. A process killed before
 * the commit completes leaves the old bars: what DuckDB's WAL replay wrongly brings back of the
 * uncommitted rows is removed on the next open (see duckdb-integrity.ts).
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
    checkAppend(symbol, columns, n, validated);
    if (n === 0) return;
    const sid = this.#host.symbolId(symbol.toUpperCase());
    const cols = [
      columns.time,
      columns.open,
      columns.high,
      columns.low,
      columns.close,
      columns.volume,
    ];
    for (let from = 0; from < n; from += VECTOR_SIZE) {
      const m = Math.min(VECTOR_SIZE, n - from);
      appender.appendDataChunk(this.#chunks.fill(sid, cols, columns.provenance, from, m));
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

  /**
   * Stages the rows `select` yields (columns `time, open, high, low, close, volume`, in that
   * order; `time` epoch ms) for `symbol` in one `INSERT … SELECT` on the writer's connection:
   * the import's DuckDB path (`read_csv`, `read_parquet`), whose rows never enter JavaScript.
   * Resolves to the symbol's id, for {@link queryStage} and {@link noteStaged}. A failure leaves
   * nothing of the statement staged (DuckDB runs it atomically); the caller aborts the writer.
   */
  async stageSelect(symbol: string, select: string): Promise<number> {
    const connection = this.#connection;
    const appender = this.#appender;
    if (connection === undefined || appender === undefined) {
      throw new Error("the bulk writer is already committed or aborted");
    }
    checkSymbol(symbol);
    const sid = this.#host.symbolId(symbol.toUpperCase());
    // Rows appended before must reach the table first, so the stage keeps the order of writes.
    appender.flushSync();
    await connection.run(
      `INSERT INTO temp.stage SELECT ${sid}, time, open, high, low, close, volume, 0 FROM (${select})`,
    );
    return sid;
  }

  /** Runs a read-only query (over `temp.stage`) on the writer's connection; resolves to its rows. */
  async queryStage(sql: string): Promise<unknown[][]> {
    const connection = this.#connection;
    if (connection === undefined)
      throw new Error("the bulk writer is already committed or aborted");
    return (await connection.runAndReadAll(sql)).getRows();
  }

  /**
   * Records what {@link stageSelect} staged for a symbol, as `append` does for its rows: the count,
   * the time range, and whether the times rose strictly (else the commit de-duplicates).
   */
  noteStaged(sid: number, rows: number, lo: number, hi: number, increasing: boolean): void {
    if (rows === 0) return;
    const span = this.#spans.get(sid);
    if (span !== undefined || !increasing) this.#duplicates = true;
    this.#spans.set(sid, {
      lo: Math.min(lo, span?.lo ?? lo),
      hi: Math.max(hi, span?.hi ?? hi),
      last: Math.max(hi, span?.last ?? hi),
    });
    this.#rows += rows;
  }

  /** Interrupts the statement running on the writer's connection (an import's abort). */
  interrupt(): void {
    this.#connection?.interrupt();
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
    await this.#host.write(sids, this.#rows, (writeId) => this.#transaction(connection, writeId));
  }

  async #transaction(connection: DuckDBConnection, writeId: number): Promise<Map<number, number>> {
    const host = this.#host;
    const sids = [...this.#spans.keys()];
    const replacing = sids.filter((sid) => host.isStored(sid) && host.barCount(sid) > 0);
    let removed = 0;
    await connection.run("BEGIN TRANSACTION");
    try {
      for (const sid of sids) {
        if (host.isStored(sid)) continue;
        await connection.run("INSERT INTO symbols (id, name, bar_count) VALUES ($id, $name, 0)", {
          id: sid,
          name: host.nameOf(sid),
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
        const deleted = await connection.run(
          `DELETE FROM bars b USING (SELECT DISTINCT sid, CAST(time AS BIGINT) AS time FROM temp.stage) s
           WHERE (${ranges}) AND b.sid = s.sid AND b.time = s.time`,
        );
        removed = deleted.rowsChanged;
      }
      const dedupe = this.#duplicates
        ? " QUALIFY row_number() OVER (PARTITION BY sid, time ORDER BY rowid DESC) = 1"
        : "";
      const inserted = await connection.run(
        `INSERT INTO bars SELECT sid, CAST(time AS BIGINT), open, high, low, close, volume,
           provenance, ${writeId} FROM temp.stage${dedupe}`,
      );
      const counts = new Map<number, number>();
      if (sids.length === 1) {
        // One symbol: the statements' row counts are its own (the common case, and writeBars').
        counts.set(sids[0]!, host.barCount(sids[0]!) + inserted.rowsChanged - removed);
      } else {
        // Several: counting afterwards is exact whatever was replaced or repeated.
        const reader = await connection.runAndReadAll(
          `SELECT sid, count(*)::DOUBLE FROM bars WHERE sid IN (${sids.join(", ")}) GROUP BY sid`,
        );
        for (const sid of sids) counts.set(sid, 0);
        for (const [sid, n] of reader.getRows()) counts.set(Number(sid), Number(n));
      }
      const cases = [...counts].map(([sid, n]) => `WHEN ${sid} THEN ${n}`).join(" ");
      await connection.run(
        `UPDATE symbols SET bar_count = CASE id ${cases} END WHERE id IN (${sids.join(", ")})`,
      );
      await connection.run(setMetaSql("last_write", String(writeId)));
      await connection.run("COMMIT");
      return counts;
    } catch (error) {
      await connection.run("ROLLBACK").catch(() => undefined);
      throw error;
    }
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
