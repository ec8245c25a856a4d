import type { PoolClient } from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { InvalidBarError } from "../../domain/errors.js";
import type { BarBulkWriter, BarColumns } from "../bulk-writer.js";
import { checkAppend } from "../bulk-writer.js";
import { StageEncoder } from "./postgres-copy-binary.js";
import {
  dropLeftLoadTables,
  dropLoadTable,
  loadFreshMonth,
  loadTableName,
  TWO_CONNECTION_ROWS,
} from "./postgres-fresh-months.js";
import {
  LOCK_MERGE,
  listPartitions,
  monthOf,
  monthStart,
  newPartitionSql,
  q,
} from "./postgres-schema.js";

/** The largest bar time the store takes: the end of JavaScript's Date range (year 275760). */
const MAX_TIME = 8.64e15;

/** Stages above this many rows are analysed before an upsert, so the planner sees their size. */
const ANALYZE_ROWS = 50_000;

/** What a {@link PostgresBulkWriter} needs of its store (internal to the history layer). */
export interface PgWriterHost {
  readonly schema: string;
  /** Gives the staging connection back; `broken` when it must be closed, not reused. */
  release(client: PoolClient, broken: boolean): void;
  /** A second connection for loading new months, or `undefined` when none is spare. */
  acquireSpare(during: string): Promise<PoolClient | undefined>;
  /** The named error for a driver error during `during`. */
  translate(error: unknown, during: string): unknown;
}

/** The per-connection staging table (a temp table lives and dies with its connection). */
export const STAGE_DDL = `CREATE TEMP TABLE IF NOT EXISTS sd_stage (k integer NOT NULL,
  time bigint NOT NULL, open double precision NOT NULL, high double precision NOT NULL,
  low double precision NOT NULL, close double precision NOT NULL,
  volume double precision NOT NULL, provenance smallint NOT NULL, seq integer NOT NULL)`;

/**
 * The PostgreSQL bulk path. Opening it takes a connection and starts `COPY sd_stage FROM STDIN
 * (FORMAT binary)` into that connection's temporary table; `append` encodes rows straight into
 * the COPY stream (nothing is visible to anyone else, and the JavaScript heap holds only the
 * pages in flight). `commit` ends the COPY, creates the months' partitions, and merges in one
 * transaction: new symbols into `symbols`, then one `INSERT … ON CONFLICT (sid, time) DO UPDATE`
 * (the last staged row of a (symbol, time) wins). Merges of one schema take turns under an
 * advisory lock, so concurrent writers on any number of hosts never deadlock on each other's
 * rows and the later commit wins per bar. A connection lost before `COMMIT` leaves nothing: the
 * server rolls the transaction back.
 */
export class PostgresBulkWriter implements BarBulkWriter {
  readonly #host: PgWriterHost;
  #client: PoolClient | undefined;
  readonly #copy: ReturnType<typeof copyFrom>;
  readonly #encoder: StageEncoder;
  readonly #done: Promise<void>;
  #copyError: unknown;
  /** The connection's own failure (an "error" or "end" event), which explains any later one. */
  #lost: unknown;
  readonly #onError = (error: Error): void => {
    this.#lost ??= error;
  };
  readonly #onEnd = (): void => {
    this.#lost ??= new Error("Connection terminated unexpectedly");
  };

  /** Gives the connection back, without this writer's listeners. */
  #release(client: PoolClient, broken: boolean): void {
    client.removeListener("error", this.#onError);
    client.removeListener("end", this.#onEnd);
    this.#host.release(client, broken);
  }
  readonly #keys = new Map<string, number>();
  /** Per key: the last staged time, to know whether a de-duplicating merge is needed. */
  readonly #last: number[] = [];
  /** Per key: the earliest and latest staged times, to know whether the merge can conflict. */
  readonly #lo: number[] = [];
  readonly #hi: number[] = [];
  #duplicates = false;
  /** Staged rows per month key. */
  readonly #months = new Map<number, number>();
  #rows = 0;
  readonly #during: string;

  private constructor(host: PgWriterHost, client: PoolClient, during: string) {
    this.#host = host;
    this.#client = client;
    this.#during = during;
    client.on("error", this.#onError);
    client.on("end", this.#onEnd);
    this.#copy = client.query(copyFrom("COPY sd_stage FROM STDIN (FORMAT binary)"));
    this.#done = new Promise<void>((resolve, reject) => {
      this.#copy.on("finish", resolve);
      this.#copy.on("error", (error) => {
        this.#copyError = error;
        reject(error);
      });
    });
    // Seen by commit or abort; without a handler a failed COPY would be an unhandled rejection.
    this.#done.catch(() => undefined);
    this.#encoder = new StageEncoder(this.#copy);
  }

  /** Prepares `client`'s staging table and starts the COPY. `during` names the write in errors. */
  static async start(
    host: PgWriterHost,
    client: PoolClient,
    during: string,
  ): Promise<PostgresBulkWriter> {
    await client.query(STAGE_DDL);
    await client.query("TRUNCATE sd_stage");
    return new PostgresBulkWriter(host, client, during);
  }

  get rows(): number {
    return this.#rows;
  }

  append(symbol: string, columns: BarColumns, n: number, validated = false): void {
    if (this.#client === undefined) {
      throw new Error("the bulk writer is already committed or aborted");
    }
    // A COPY the server ended (a killed backend, a restart) has no connection left to write to:
    // pg-copy-streams would throw a TypeError from the next write. Say what happened instead.
    const failed = this.#lost ?? this.#copyError;
    if (failed !== undefined) throw this.#host.translate(failed, this.#during);
    checkAppend(symbol, columns, n, validated);
    if (n === 0) return;
    const name = symbol.toUpperCase();
    const { time, open, high, low, close, volume, provenance } = columns;
    for (let i = 0; i < n; i++) {
      const t = time[i]!;
      if (t > MAX_TIME || t < -MAX_TIME) {
        throw new InvalidBarError(
          name,
          { time: t },
          "time",
          `${t} is outside the dates a store keeps (±${MAX_TIME} ms)`,
        );
      }
    }
    let k = this.#keys.get(name);
    if (k === undefined) {
      k = this.#keys.size;
      this.#keys.set(name, k);
      this.#last.push(Number.NEGATIVE_INFINITY);
      this.#lo.push(Number.POSITIVE_INFINITY);
      this.#hi.push(Number.NEGATIVE_INFINITY);
    }
    let last = this.#last[k]!;
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    let month = Number.NaN;
    let monthEnd = Number.NEGATIVE_INFINITY;
    let monthFrom = Number.POSITIVE_INFINITY;
    let segment = 0;
    const months = this.#months;
    const encoder = this.#encoder;
    for (let i = 0; i < n; i++) {
      const t = time[i]!;
      // Rows staged in strictly rising time per symbol cannot collide; anything else needs the
      // de-duplicating merge.
      if (t <= last) this.#duplicates = true;
      last = t;
      if (t < lo) lo = t;
      if (t > hi) hi = t;
      if (t < monthFrom || t >= monthEnd) {
        if (i > segment) months.set(month, (months.get(month) ?? 0) + i - segment);
        segment = i;
        month = monthOf(t);
        monthFrom = monthStart(month);
        monthEnd = monthStart(month + 1);
      }
      encoder.row(
        k,
        t,
        open[i]!,
        high[i]!,
        low[i]!,
        close[i]!,
        volume[i]!,
        provenance === undefined ? 0 : provenance[i]!,
      );
    }
    months.set(month, (months.get(month) ?? 0) + n - segment);
    this.#last[k] = last;
    if (lo < this.#lo[k]!) this.#lo[k] = lo;
    if (hi > this.#hi[k]!) this.#hi[k] = hi;
    this.#rows += n;
  }

  async commit(): Promise<number> {
    const client = this.#client;
    if (client === undefined) throw new Error("the bulk writer is already committed or aborted");
    this.#client = undefined;
    let broken = true;
    try {
      this.#encoder.end();
      await this.#done;
      const rows = this.#rows;
      if (rows > 0) {
        await this.#merge(client, rows >= ANALYZE_ROWS);
      }
      await client.query("TRUNCATE sd_stage");
      broken = false;
      this.#rows = 0;
      return rows;
    } catch (error) {
      throw this.#host.translate(this.#lost ?? this.#copyError ?? error, this.#during);
    } finally {
      this.#release(client, broken);
    }
  }

  /**
   * The merge, under the schema's merge lock. Months without a partition yet get one, filled
   * and indexed before it is attached (see `newPartitionSql`; a large one on two connections,
   * see postgres-fresh-months.ts). The other rows go through one INSERT into `bars`, in (time,
   * sid) order: both indexes then take them at a few hundred insertion points (the PK's per
   * symbol, the scan index's at its end) instead of sweeping the scan index once per symbol, and
   * the heap comes out clustered by time, the order `scan` reads. When no stored bar of a staged
   * symbol lies within its staged span (one index probe per symbol), nothing can conflict and a
   * plain INSERT skips the upsert's speculative insertion.
   */
  async #merge(client: PoolClient, large: boolean): Promise<void> {
    const schema = this.#host.schema;
    const s = q(schema);
    const names = [...this.#keys.keys()];
    const select = (where: string): string =>
      `SELECT m.id, st.time, st.open, st.high, st.low, st.close, st.volume, st.provenance
       FROM sd_stage st JOIN sd_ids m ON m.k = st.k WHERE ${where} ORDER BY st.time, m.id`;
    const within = (month: number): string =>
      `(st.time >= ${monthStart(month)} AND st.time < ${monthStart(month + 1)})`;
    let spare: PoolClient | undefined;
    /** Set once a statement may still be running on a connection: then it is closed, not reused. */
    let abandon = false;
    const loads: string[] = [];
    await client.query("BEGIN");
    try {
      await client.query("SELECT pg_advisory_xact_lock($1, hashtext($2))", [LOCK_MERGE, schema]);
      // Enough memory to sort and index a large write's rows without spilling to disk.
      await client.query("SET LOCAL work_mem = '256MB'");
      await client.query("SET LOCAL maintenance_work_mem = '256MB'");
      await client.query(
        `INSERT INTO ${s}.symbols (name) SELECT n FROM unnest($1::text[]) AS u(n) ORDER BY n
         ON CONFLICT (name) DO NOTHING`,
        [names],
      );
      // Each staged key's symbol id and span, in a table (not parameters) so that a COPY, which
      // takes none, can join it too.
      await client.query(
        `CREATE TEMP TABLE sd_ids ON COMMIT DROP AS
        SELECT (u.ord - 1)::integer AS k, y.id, u.lo, u.hi
        FROM unnest($1::text[], $2::bigint[], $3::bigint[]) WITH ORDINALITY AS u(name, lo, hi, ord)
        JOIN ${s}.symbols y ON y.name = u.name`,
        [names, this.#lo.map(String), this.#hi.map(String)],
      );
      await dropLeftLoadTables(client, schema);
      const existing = await listPartitions(client, schema);
      const months = [...this.#months.keys()].sort((a, b) => a - b);
      const fresh = months.filter((m) => !existing.has(m));
      const old = months.filter((m) => existing.has(m));
      // Only the upsert into stored months is planned on the stage's statistics (a new month's
      // rows are selected by time, with or without them): 0.5-1.6 s of 4 M rows saved otherwise.
      if (large && old.length > 0) await client.query("ANALYZE sd_stage");
      if (this.#duplicates) {
        // The last staged row of a (symbol, time) wins: the earlier ones go, in one sort.
        await client.query(`DELETE FROM sd_stage WHERE ctid IN (SELECT ctid FROM (SELECT ctid,
          row_number() OVER (PARTITION BY k, time ORDER BY seq DESC) AS r FROM sd_stage) d
          WHERE r > 1)`);
      }
      // Each new month selects its rows from the stage: index it by time when there are many.
      const indexed = fresh.length > 2;
      if (indexed) await client.query("CREATE INDEX sd_stage_time ON sd_stage (time)");
      for (const month of fresh) {
        if (this.#months.get(month)! >= TWO_CONNECTION_ROWS) {
          spare ??= await this.#host.acquireSpare(this.#during);
        }
        if (spare !== undefined && this.#months.get(month)! >= TWO_CONNECTION_ROWS) {
          const load = loadTableName(month);
          loads.push(load);
          abandon = true;
          await loadFreshMonth(client, spare, schema, month, load, select(within(month)));
          abandon = false;
          continue;
        }
        for (const sql of newPartitionSql(schema, month, select(within(month)))) {
          await client.query(sql);
        }
      }
      // The stage is reused by the connection's next write, which should not pay for an index.
      if (indexed) await client.query("DROP INDEX sd_stage_time");
      if (old.length > 0) {
        const overlap = await client.query<{ any: boolean }>(
          `SELECT EXISTS (SELECT 1 FROM sd_ids m WHERE EXISTS (SELECT 1 FROM ${s}.bars b
             WHERE b.sid = m.id AND b.time >= m.lo AND b.time <= m.hi)) AS any`,
        );
        await client.query(
          `INSERT INTO ${s}.bars (sid, time, open, high, low, close, volume, provenance)
           ${select(fresh.length === 0 ? "true" : `(${old.map(within).join(" OR ")})`)}
           ${
             overlap.rows[0]?.any === false
               ? ""
               : `ON CONFLICT (sid, time) DO UPDATE SET open = EXCLUDED.open, high = EXCLUDED.high,
             low = EXCLUDED.low, close = EXCLUDED.close, volume = EXCLUDED.volume,
             provenance = EXCLUDED.provenance`
           }`,
        );
      }
      await client.query("COMMIT");
    } catch (error) {
      // A COPY cut short may leave its connection mid-statement: closing it (the caller does, on
      // any error) rolls the transaction back on the server without waiting on it.
      if (!abandon) await client.query("ROLLBACK").catch(() => undefined);
      if (spare !== undefined) {
        if (!abandon) for (const load of loads) await dropLoadTable(spare, schema, load);
        this.#host.release(spare, abandon);
        spare = undefined;
      }
      throw error;
    } finally {
      if (spare !== undefined) this.#host.release(spare, false);
    }
  }

  async abort(): Promise<void> {
    const client = this.#client;
    if (client === undefined) return;
    this.#client = undefined;
    this.#rows = 0;
    // Ending the connection is the one sure way to stop a COPY half sent; the staged rows die
    // with its temporary table.
    this.#release(client, true);
  }
}
