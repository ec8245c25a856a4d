import pg from "pg";
import { PostgresConnectionError, translatePgError } from "./postgres-errors.js";
import type { PgTarget } from "./postgres-url.js";

/** The pool settings of {@link PgConnections} (see `PostgresBarStoreOptions`). */
export interface PgPoolOptions {
  /** The schema holding the store, shown as the sessions' `application_name`. */
  readonly schema: string;
  /** Sessions refuse any write (`default_transaction_read_only`). */
  readonly readOnly: boolean;
  /** Connections held at once (default 8). */
  readonly maxConnections?: number;
  /** How long to wait for the server to accept a connection, in ms (default 10,000). */
  readonly connectTimeoutMs?: number;
}

/**
 * A `PostgresBarStore`'s pool of connections to one server: checks clients out with an error
 * listener of their own, gives them back (closing broken ones), and turns driver failures into
 * the named errors of postgres-errors.ts.
 */
export class PgConnections {
  readonly #pool: pg.Pool;
  readonly #target: PgTarget;
  readonly #onError = new Map<pg.PoolClient, (error: Error) => void>();

  constructor(target: PgTarget, options: PgPoolOptions) {
    this.#target = target;
    this.#pool = new pg.Pool({
      connectionString: target.connectionString,
      max: options.maxConnections ?? 8,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
      // What pg_stat_activity shows: which sessions are sessiondata's, and on which store.
      application_name: `sessiondata/${options.schema}`,
      // JIT compiling the scan and merge plans costs more than it saves on these queries.
      options: `-c jit=off${options.readOnly ? " -c default_transaction_read_only=on" : ""}`,
    });
    // An idle connection the server ends (a restart) is dropped by the pool; the next call
    // opens a new one. Without a listener the pool's "error" event would end the process.
    this.#pool.on("error", () => undefined);
  }

  /** The named error for a driver error during `during` (`connected`: after the connect). */
  translate(error: unknown, during: string, connected = true): unknown {
    return translatePgError(error, {
      host: this.#target.host,
      user: this.#target.user,
      database: this.#target.database,
      during,
      connected,
    });
  }

  /** Checks a connection out of the pool; a failure to connect is translated. */
  async acquire(during: string): Promise<pg.PoolClient> {
    let client: pg.PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (error) {
      throw this.translate(error, during, false);
    }
    // A checked-out client has no error listener of the pool's: a backend ended mid-call would
    // otherwise be an uncaught "error" event. The call itself rejects and is translated.
    const listener = (): void => undefined;
    client.on("error", listener);
    this.#onError.set(client, listener);
    return client;
  }

  /**
   * A second connection for a write that can use one, or `undefined` when the pool has none to
   * spare at once (then the write does without rather than wait for a scan to end).
   */
  async acquireSpare(during: string): Promise<pg.PoolClient | undefined> {
    const pool = this.#pool;
    const spare = pool.idleCount > 0 || pool.totalCount < (pool.options.max ?? 10);
    if (!spare || pool.waitingCount > 0) return undefined;
    return this.acquire(during);
  }

  /** Gives a checked-out connection back; `broken` closes it instead. Twice is harmless. */
  release(client: pg.PoolClient, broken: boolean): void {
    const listener = this.#onError.get(client);
    if (listener === undefined) return;
    this.#onError.delete(client);
    // Left attached: a late error on a connection being closed must not end the process.
    if (!broken) client.removeListener("error", listener);
    client.release(broken ? true : undefined);
  }

  /** Runs one query on a pooled connection, translating connection failures. */
  async query<R extends pg.QueryResultRow>(
    during: string,
    sql: string,
    values?: unknown[],
  ): Promise<R[]> {
    const client = await this.acquire(during);
    let broken = true;
    try {
      const result = await client.query<R>(sql, values);
      broken = false;
      return result.rows;
    } catch (error) {
      const translated = this.translate(error, during);
      broken = translated instanceof PostgresConnectionError;
      throw translated;
    } finally {
      this.release(client, broken);
    }
  }

  /** Closes every connection, those still checked out too. */
  async end(): Promise<void> {
    for (const client of [...this.#onError.keys()]) this.release(client, true);
    await this.#pool.end().catch(() => undefined);
  }
}
