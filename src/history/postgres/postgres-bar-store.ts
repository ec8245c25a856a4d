import type pg from "pg";
import type { Bar } from "../../domain/bar.js";
import { SessiondataError } from "../../domain/errors.js";
import { checkTimeRange, withStoredSymbols } from "../bar-chunk.js";
import type {
  BarChunk,
  BarStore,
  CountBarsOptions,
  Coverage,
  ScanOptions,
  SymbolInfo,
  WriteOptions,
} from "../bar-store.js";
import { type BarBulkWriter, writeInput } from "../bulk-writer.js";
import type { CorporateActionStore } from "../corporate/corporate-action-store.js";
import { ReadOnlyStoreError } from "../store-errors.js";
import { checkSymbolInfo, normalizeSymbol } from "../symbol-info.js";
import { type SymbolSummary, symbolSummaryOf } from "../symbol-summary.js";
import { type PgWriterHost, PostgresBulkWriter } from "./postgres-bulk-writer.js";
import { PgConnections } from "./postgres-connections.js";
import { PostgresCorporateActionStore } from "./postgres-corporate.js";
import { countPostgresBars } from "./postgres-day-counts.js";
import { pgTimeBound, scanPostgres } from "./postgres-scan.js";
import { openPgSchema, q } from "./postgres-schema.js";
import { checkSchemaName, DEFAULT_PG_SCHEMA, type PgTarget, parsePgUrl } from "./postgres-url.js";

/** Options of {@link PostgresBarStore.open}. */
export interface PostgresBarStoreOptions {
  /** `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?schema=NAME]`. */
  readonly url: string;
  /** The schema holding the store (default: the URL's `?schema=`, else `sessiondata`). */
  readonly schema?: string;
  /**
   * Read only: writes throw `ReadOnlyStoreError`, the server refuses any write too
   * (`default_transaction_read_only`), and a missing schema is `NoDatabaseError`.
   */
  readonly readOnly?: boolean;
  /** Create the schema when it is absent (default true); false throws `NoDatabaseError`. */
  readonly create?: boolean;
  /**
   * Connections the store may hold at once (default 8): each running scan holds one, a write
   * one, and a write loading a new month of 100,000 rows or more a second one when one is free.
   */
  readonly maxConnections?: number;
  /** How long to wait for the server to accept a connection, in ms (default 10,000). */
  readonly connectTimeoutMs?: number;
}

/**
 * The {@link BarStore} on a PostgreSQL server (15 or later): the shared history of a desk, read
 * by any number of hosts and written by several. Bars live in one table range-partitioned by
 * month (`bars_YYYYMM`, created as writes reach a month), with the `symbols` table beside it,
 * in one schema (default `sessiondata`) created and versioned on first use (see
 * postgres-schema.ts). Writes stream through binary `COPY` into a temporary table and merge with
 * one `INSERT … ON CONFLICT DO UPDATE` per call, in one transaction: all or nothing, also when
 * the connection drops. `scan` streams one binary `COPY` from the `(time, sid)` index into
 * columnar chunks, memory bounded whatever the range. Connection failures are
 * `PostgresConnectionError`s naming the server and what to do.
 *
 * @example
 * ```ts
 * const store = await PostgresBarStore.open({ url: "postgres://postgres@127.0.0.1:5432/test" });
 * try {
 *   await store.writeBars("AAPL", bars);
 *   for await (const chunk of store.scan({ from, to })) replay(chunk);
 * } finally {
 *   await store.close();
 * }
 * ```
 */
export class PostgresBarStore implements BarStore {
  readonly #pg: PgConnections;
  readonly #target: PgTarget;
  readonly #schema: string;
  readonly #readOnly: boolean;
  #closed = false;

  private constructor(pg: PgConnections, target: PgTarget, schema: string, readOnly: boolean) {
    this.#pg = pg;
    this.#target = target;
    this.#schema = schema;
    this.#readOnly = readOnly;
    this.#host = this.#makeHost();
  }

  /**
   * Connects, and creates the schema on first use (or upgrades an older one). Throws
   * `PostgresUnreachableError`, `PostgresAuthError`, `PostgresNoDatabaseError`,
   * `NoDatabaseError` (no store in the schema and `readOnly` or `create: false`) or
   * `StoreVersionError` (a newer schema, or one that is not a sessiondata store).
   */
  static async open(options: PostgresBarStoreOptions): Promise<PostgresBarStore> {
    const target = parsePgUrl(options.url);
    const schema = checkSchemaName(options.schema ?? target.schema ?? DEFAULT_PG_SCHEMA);
    const readOnly = options.readOnly === true;
    const connections = new PgConnections(target, {
      schema,
      readOnly,
      maxConnections: options.maxConnections,
      connectTimeoutMs: options.connectTimeoutMs,
    });
    const store = new PostgresBarStore(connections, target, schema, readOnly);
    try {
      const client = await connections.acquire("open");
      let broken = true;
      try {
        await openPgSchema(client, target.display, schema, {
          readOnly,
          create: options.create !== false,
        });
        broken = false;
      } finally {
        connections.release(client, broken);
      }
      return store;
    } catch (error) {
      await connections.end();
      throw connections.translate(error, "open", false);
    }
  }

  /** The URL the store was opened with, its password hidden. */
  get url(): string {
    return this.#target.display;
  }

  /** The server, `host:port`. */
  get host(): string {
    return this.#target.host;
  }

  /** The schema holding the store. */
  get schema(): string {
    return this.#schema;
  }

  /** Whether the store was opened read-only. */
  get readOnly(): boolean {
    return this.#readOnly;
  }

  #ensureOpen(): void {
    if (this.#closed) {
      throw new SessiondataError(
        `the PostgresBarStore ${this.#target.display} (schema ${this.#schema}) is closed`,
      );
    }
  }

  #closedDuringScan(cause?: unknown): SessiondataError {
    return new SessiondataError(
      `the PostgresBarStore ${this.#target.display} (schema ${this.#schema}) was closed during a scan`,
      cause === undefined ? undefined : { cause },
    );
  }

  #writable(what: string): void {
    this.#ensureOpen();
    if (this.#readOnly) {
      throw new ReadOnlyStoreError(`${this.#target.display} schema ${this.#schema}`, what);
    }
  }

  /** Runs one query on a pooled connection, translating connection failures. */
  async #query<R extends pg.QueryResultRow>(
    during: string,
    sql: string,
    values?: unknown[],
  ): Promise<R[]> {
    this.#ensureOpen();
    return this.#pg.query<R>(during, sql, values);
  }

  readonly #host: PgWriterHost;
  #corporate: PostgresCorporateActionStore | undefined;

  /**
   * The corporate actions (factor and map rows) kept in this schema beside the bars: see
   * `corporateActionsOf`.
   */
  corporateActions(): CorporateActionStore {
    this.#corporate ??= new PostgresCorporateActionStore({
      schema: this.#schema,
      writable: (what) => this.#writable(what),
      query: (during, sql, values) => this.#query(during, sql, values),
      acquire: (during) => {
        this.#ensureOpen();
        return this.#pg.acquire(during);
      },
      release: (client, broken) => this.#pg.release(client, broken),
      translate: (error, during) => this.#pg.translate(error, during),
    });
    return this.#corporate;
  }

  #makeHost(): PgWriterHost {
    return {
      schema: this.#schema,
      release: (client, broken) => this.#pg.release(client, broken),
      acquireSpare: (during) => this.#pg.acquireSpare(during),
      translate: (error, during) => this.#pg.translate(error, during),
    };
  }

  /**
   * A writer for many bars of many symbols in one transaction, through binary COPY: the path
   * importers, `copy` and the sample generator use. Nothing is visible before `commit`.
   */
  async bulkWriter(): Promise<BarBulkWriter> {
    this.#writable("write bars");
    return this.#openWriter("bulk write");
  }

  async #openWriter(during: string): Promise<PostgresBulkWriter> {
    const client = await this.#pg.acquire(during);
    try {
      return await PostgresBulkWriter.start(this.#host, client, during);
    } catch (error) {
      this.#pg.release(client, true);
      throw this.#pg.translate(error, during);
    }
  }

  async writeBars(symbol: string, bars: readonly Bar[], options?: WriteOptions): Promise<void> {
    this.#writable(`write bars of ${String(symbol)}`);
    const { name, columns, n } = writeInput(symbol, bars, options);
    if (n === 0) return;
    const writer = await this.#openWriter(`write of ${n.toLocaleString("en-US")} bars of ${name}`);
    try {
      writer.append(name, columns, n);
    } catch (error) {
      await writer.abort();
      throw error;
    }
    await writer.commit();
  }

  async symbolInfo(symbol: string): Promise<SymbolInfo | undefined> {
    const name = normalizeSymbol(symbol);
    const rows = await this.#query<InfoRow>(
      "symbol info",
      `SELECT name, calendar, time_zone, price_decimals FROM ${q(this.#schema)}.symbols
       WHERE name = $1 AND calendar IS NOT NULL`,
      [name],
    );
    return rows[0] === undefined ? undefined : infoOf(rows[0]);
  }

  async listSymbolInfo(): Promise<SymbolInfo[]> {
    const rows = await this.#query<InfoRow>(
      "symbol info",
      `SELECT name, calendar, time_zone, price_decimals FROM ${q(this.#schema)}.symbols
       WHERE calendar IS NOT NULL ORDER BY name`,
    );
    return rows.map(infoOf);
  }

  async setSymbolInfo(info: SymbolInfo): Promise<void> {
    this.#writable("set symbol info");
    const checked = checkSymbolInfo(info);
    await this.#query(
      "setting of symbol info",
      `INSERT INTO ${q(this.#schema)}.symbols (name, calendar, time_zone, price_decimals)
       VALUES ($1, $2, $3, $4) ON CONFLICT (name) DO UPDATE SET calendar = EXCLUDED.calendar,
       time_zone = EXCLUDED.time_zone, price_decimals = EXCLUDED.price_decimals`,
      [checked.symbol, checked.calendar, checked.timeZone, checked.priceDecimals],
    );
  }

  async readBars(symbol: string, from: number, to: number): Promise<Bar[]> {
    checkTimeRange("readBars", from, to);
    const name = normalizeSymbol(symbol);
    if (!(from < to)) {
      this.#ensureOpen();
      return [];
    }
    const s = q(this.#schema);
    const rows = await this.#query<{
      t: string;
      o: number;
      h: number;
      l: number;
      c: number;
      v: number;
    }>(
      `readBars of ${name}`,
      `SELECT b.time::text AS t, b.open AS o, b.high AS h, b.low AS l, b.close AS c, b.volume AS v
       FROM ${s}.bars b JOIN ${s}.symbols y ON y.id = b.sid
       WHERE y.name = $1 AND b.time >= ${pgTimeBound(from)} AND b.time < ${pgTimeBound(to)}
       ORDER BY b.time`,
      [name],
    );
    const out: Bar[] = new Array(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i]!;
      out[i] = { time: Number(r.t), open: r.o, high: r.h, low: r.l, close: r.c, volume: r.v };
    }
    return out;
  }

  /**
   * Streams `[from, to)` in (time, symbol) order in chunks of at most `chunkSize` bars (default
   * 8,192), on a connection of its own for the whole scan (one consistent snapshot).
   */
  scan(options: ScanOptions): AsyncIterable<BarChunk> {
    this.#ensureOpen();
    const request = withStoredSymbols(options);
    return scanPostgres(
      {
        acquire: () => {
          this.#ensureOpen();
          return this.#pg.acquire("scan");
        },
        release: (client, broken) => this.#pg.release(client, broken),
        ensureOpen: () => {
          if (this.#closed) throw this.#closedDuringScan();
        },
        translate: (error) => {
          if (this.#closed) return this.#closedDuringScan(error);
          return this.#pg.translate(error, "scan");
        },
      },
      this.#schema,
      request,
    );
  }

  async symbols(): Promise<string[]> {
    const s = q(this.#schema);
    const rows = await this.#query<{ name: string }>(
      "listing of symbols",
      `SELECT y.name FROM ${s}.symbols y
       WHERE EXISTS (SELECT 1 FROM ${s}.bars b WHERE b.sid = y.id) ORDER BY y.name`,
    );
    return rows.map((r) => r.name);
  }

  /** One query: see postgres-day-counts.ts. */
  async countBars(options: CountBarsOptions): Promise<number[][]> {
    return countPostgresBars((d, sql, v) => this.#query(d, sql, v), this.#schema, options);
  }

  async coverage(symbol: string): Promise<Coverage | undefined> {
    const name = normalizeSymbol(symbol);
    const s = q(this.#schema);
    const rows = await this.#query<{ first: string | null; last: string | null; n: string }>(
      `coverage of ${name}`,
      `SELECT min(b.time)::text AS first, max(b.time)::text AS last, count(*)::text AS n
       FROM ${s}.bars b JOIN ${s}.symbols y ON y.id = b.sid WHERE y.name = $1`,
      [name],
    );
    const r = rows[0];
    if (r === undefined || r.first === null || r.last === null) return undefined;
    return { first: Number(r.first), last: Number(r.last), count: Number(r.n) };
  }

  /**
   * Every symbol's coverage and bars by provenance in one query, sorted by symbol: what
   * `sessiondata info` lists (the same shape as `DuckDbBarStore.summary`).
   */
  async summary(): Promise<SymbolSummary[]> {
    const s = q(this.#schema);
    const codes = [0, 1, 2, 3, 4]
      .map((c) => `count(*) FILTER (WHERE b.provenance = ${c})::text AS p${c}`)
      .join(", ");
    const rows = await this.#query<Record<string, string>>(
      "summary",
      `SELECT y.name, min(b.time)::text AS first, max(b.time)::text AS last, count(*)::text AS n,
         ${codes}
       FROM ${s}.bars b JOIN ${s}.symbols y ON y.id = b.sid GROUP BY y.name ORDER BY y.name`,
    );
    return rows.map((r) =>
      symbolSummaryOf(r.name!, r.first, r.last, r.n, [r.p0, r.p1, r.p2, r.p3, r.p4]),
    );
  }

  /**
   * Closes every connection. A scan still running fails on its next chunk; a write still
   * running is rolled back by the server.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pg.end();
  }
}

interface InfoRow {
  name: string;
  calendar: string;
  time_zone: string;
  price_decimals: number;
}

function infoOf(r: InfoRow): SymbolInfo {
  return {
    symbol: r.name,
    calendar: r.calendar,
    timeZone: r.time_zone,
    priceDecimals: r.price_decimals,
  };
}
