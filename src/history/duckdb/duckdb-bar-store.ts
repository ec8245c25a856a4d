import { resolve } from "node:path";
import type { DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
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
import type { BarBulkWriter } from "../bulk-writer.js";
import { writeInput } from "../bulk-writer.js";
import type { CorporateActionStore } from "../corporate/corporate-action-store.js";
import { ReadOnlyStoreError } from "../store-errors.js";
import { checkSymbolInfo, normalizeSymbol } from "../symbol-info.js";
import type { SymbolSummary } from "../symbol-summary.js";
import { type BulkWriterHost, DuckDbBulkWriter, STAGE_DDL } from "./duckdb-bulk-writer.js";
import { DuckDbCorporateActionStore } from "./duckdb-corporate.js";
import { countDuckDbBars } from "./duckdb-day-counts.js";
import {
  type DuckDbMemory,
  type DuckDbSettings,
  readMemory,
  readSettings,
} from "./duckdb-diagnostics.js";
import { type CheckScope, INTEGRITY_OK, type StoreIntegrity } from "./duckdb-integrity.js";
import { openInstance, walBytes, walLeftOver } from "./duckdb-open.js";
import { duckDbCoverage, duckDbSummary, readDuckDbBars } from "./duckdb-reads.js";
import { DEFAULT_WINDOW_ROWS, scanDuckDb } from "./duckdb-scan.js";
import { openSchema, readMeta } from "./duckdb-schema.js";
import type { DuckDbBarStoreOptions } from "./duckdb-store-options.js";
import { SymbolRegistry } from "./duckdb-symbols.js";
import { UnverifiedMarker } from "./duckdb-unverified.js";

/**
 * Database files open in this process. DuckDB's file lock is per process, so a second instance
 * on the same file would not be stopped and the two would overwrite each other's writes.
 */
const openFiles = new Set<string>();

export type { DuckDbBarStoreOptions } from "./duckdb-store-options.js";

/**
 * A write of at least this many rows is checkpointed at once. DuckDB writes inserts of a row
 * group (122,880 rows) or more into the file before their commit, which is the case a torn WAL
 * replays wrongly (see duckdb-integrity.ts); smaller writes wait for the WAL bound or close.
 */
const CHECKPOINT_ROWS = 100_000;
/** The WAL size past which the store checkpoints after a write, by default (DuckDB's own default). */
const CHECKPOINT_WAL_BYTES = 16 * 1024 * 1024;

/**
 * The {@link BarStore} on an embedded DuckDB database: a file (the CLI's default is
 * `sessiondata.duckdb`) or `":memory:"`. Bars live in one table `bars(sid, time, open, high, low,
 * close, volume, provenance, write_id)` with symbols, their calendar, time zone, precision and
 * counts in `symbols` (schema version 2; a version-1 file is upgraded in place when opened for
 * writing). Writes go through the Appender into a staging table and commit in one transaction;
 * reads use DuckDB's chunked columnar results. A killed writer leaves exactly the bars before its
 * write or exactly those after: the next open finds and repairs what DuckDB's WAL replay gets
 * wrong, with a warning ({@link DuckDbBarStore.integrity}). One store object per database file
 * and process; several processes may share a file read-only.
 *
 * @example
 * ```ts
 * const store = await DuckDbBarStore.open("sessiondata.duckdb", { readOnly: true });
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
  readonly #readOnly: boolean;
  readonly #file: boolean;
  #symbols = new SymbolRegistry();
  #lastWrite = 0;
  readonly #marker: UnverifiedMarker;
  #integrity: StoreIntegrity = INTEGRITY_OK;
  #idle: DuckDBConnection | undefined;
  #tail: Promise<unknown> = Promise.resolve();
  #closed = false;
  readonly #scans = new Set<DuckDBConnection>();
  readonly #windowRows: number;
  readonly #walBound: number;
  #corporate: DuckDbCorporateActionStore | undefined;

  private constructor(
    instance: DuckDBInstance,
    main: DuckDBConnection,
    path: string,
    options: DuckDbBarStoreOptions,
  ) {
    this.#instance = instance;
    this.#main = main;
    this.#path = path;
    this.#readOnly = options.readOnly === true;
    this.#file = path !== ":memory:";
    this.#marker = new UnverifiedMarker(main, this.#file, this.#readOnly);
    this.#windowRows = options.scanWindowRows ?? DEFAULT_WINDOW_ROWS;
    this.#walBound = options.checkpointWalBytes ?? CHECKPOINT_WAL_BYTES;
  }

  /**
   * Opens the database at `path` (creating it when absent, unless `create: false` or
   * `readOnly`), or a private in-memory one for `":memory:"`. Throws `NoDatabaseError`,
   * `StoreLockedError` (another process holds the file), `StoreVersionError` (a newer schema,
   * or a version-1 file opened read-only) or `StoreIntegrityError` (a read-only open of a file
   * that a crash left needing repair).
   */
  static async open(path: string, options: DuckDbBarStoreOptions = {}): Promise<DuckDbBarStore> {
    const readOnly = options.readOnly === true;
    const key = path === ":memory:" ? undefined : resolve(path);
    if (key !== undefined && openFiles.has(key)) {
      throw new SessiondataError(
        `${path} is already open in this process: share that DuckDbBarStore instead of opening it twice`,
      );
    }
    // Looked at before DuckDB replays (and removes) it.
    const leftOver = key !== undefined && walLeftOver(path);
    const instance = await openInstance(path, {
      readOnly,
      create: options.create !== false,
      ...(options.memoryLimit === undefined ? {} : { memoryLimit: options.memoryLimit }),
      ...(options.threads === undefined ? {} : { threads: options.threads }),
    });
    let main: DuckDBConnection | undefined;
    try {
      main = await instance.connect();
      const store = new DuckDbBarStore(instance, main, path, options);
      await store.#load(leftOver);
      if (key !== undefined) openFiles.add(key);
      return store;
    } catch (error) {
      main?.closeSync();
      instance.closeSync();
      throw error;
    }
  }

  async #load(leftOver: boolean): Promise<void> {
    const schema = await openSchema(this.#main, this.#path, this.#readOnly);
    const meta = await readMeta(this.#main);
    this.#lastWrite = Number(meta.get("last_write") ?? 0);
    this.#marker.restore(meta.get("unverified"));
    const unverified = this.#marker.value;
    const migrated = schema.kind === "migrated";
    if (migrated || leftOver || unverified !== undefined) {
      // A version-1 file may hold the doubled rows of the defect this check exists for.
      const reason = migrated
        ? `the upgrade of ${this.#path} from schema version ${schema.from}`
        : unverified !== undefined
          ? `an interrupted write to ${this.#path}`
          : `a crash that left ${this.#path}'s WAL`;
      const scope: CheckScope = migrated || unverified === undefined ? "all" : unverified;
      this.#integrity = await this.#marker.verify(this.#path, scope, this.#lastWrite, reason);
    }
    this.#symbols = await SymbolRegistry.load(this.#main);
  }

  /** The path the store was opened with. */
  get path(): string {
    return this.#path;
  }

  /** Whether the store was opened read-only. */
  get readOnly(): boolean {
    return this.#readOnly;
  }

  /**
   * What the check at open found: `ok` unless a crash (or an old version's defect) had left
   * duplicate or uncommitted bars, which were then repaired (`repaired`) or could not all be
   * accounted for (`damaged`). A repair also emits a process warning with the same message.
   */
  get integrity(): StoreIntegrity {
    return this.#integrity;
  }

  /**
   * The memory limit and thread count DuckDB runs this database with, as DuckDB reports them
   * (`current_setting`): the memory limit in its own words (`"244.1 MiB"` for `"256MB"`).
   */
  duckDbSettings(): Promise<DuckDbSettings> {
    this.#ensureOpen();
    return readSettings(this.#main);
  }

  /**
   * What DuckDB's buffer manager holds now (`duckdb_memory()`), in all and by tag: see
   * {@link DuckDbMemory}. JavaScript's heap and DuckDB's untracked allocations are not in it.
   */
  duckDbMemory(): Promise<DuckDbMemory> {
    this.#ensureOpen();
    return readMemory(this.#main);
  }

  /** The corporate actions (factor and map rows) kept in this file: see `corporateActionsOf`. */
  corporateActions(): CorporateActionStore {
    this.#corporate ??= new DuckDbCorporateActionStore({
      connection: this.#main,
      exclusive: (task) => this.#exclusive(task),
      writable: (what) => this.#writable(what),
    });
    return this.#corporate;
  }

  #ensureOpen(): void {
    if (this.#closed) throw new SessiondataError(`the DuckDbBarStore ${this.#path} is closed`);
  }

  #writable(what: string): void {
    this.#ensureOpen();
    if (this.#readOnly) throw new ReadOnlyStoreError(this.#path, what);
  }

  #exclusive<T>(task: () => Promise<T>): Promise<T> {
    this.#ensureOpen();
    const run = this.#tail.then(task, task);
    this.#tail = run.catch(() => undefined);
    return run;
  }

  readonly #host: BulkWriterHost = {
    symbolId: (symbol) => this.#symbols.reserve(symbol),
    isStored: (sid) => this.#symbols.byId(sid)?.stored === true,
    barCount: (sid) => this.#symbols.byId(sid)?.barCount ?? 0,
    nameOf: (sid) => this.#symbols.byId(sid)!.name,
    exclusive: (task) => this.#exclusive(task),
    write: async (sids, rows, transaction) => {
      await this.#marker.mark(new Set(sids.map((sid) => this.#symbols.byId(sid)!.name)));
      const writeId = this.#lastWrite + 1;
      const counts = await transaction(writeId);
      this.#lastWrite = writeId;
      for (const [sid, count] of counts) {
        const row = this.#symbols.byId(sid)!;
        row.stored = true;
        row.barCount = count;
      }
      if (rows >= CHECKPOINT_ROWS || walBytes(this.#path) >= this.#walBound) {
        await this.#marker.checkpoint();
      }
    },
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
    this.#writable("write bars");
    return this.#openWriter();
  }

  async #openWriter(): Promise<DuckDbBulkWriter> {
    this.#ensureOpen();
    let connection = this.#idle;
    this.#idle = undefined;
    if (connection === undefined) {
      connection = await this.#instance.connect();
      await connection.run(STAGE_DDL);
    }
    const appender = await connection.createAppender("stage", null, "temp");
    return new DuckDbBulkWriter(this.#host, connection, appender);
  }

  async writeBars(symbol: string, bars: readonly Bar[], options?: WriteOptions): Promise<void> {
    this.#writable(`write bars of ${String(symbol)}`);
    const { name, columns, n } = writeInput(symbol, bars, options);
    if (n === 0) return;
    await this.#exclusive(async () => {
      const writer = await this.#openWriter();
      try {
        writer.append(name, columns, n);
        await writer.commitHoldingTurn();
      } catch (error) {
        await writer.abort();
        throw error;
      }
    });
  }

  async symbolInfo(symbol: string): Promise<SymbolInfo | undefined> {
    this.#ensureOpen();
    const info = this.#symbols.get(normalizeSymbol(symbol))?.info;
    return info === undefined ? undefined : { ...info };
  }

  async listSymbolInfo(): Promise<SymbolInfo[]> {
    this.#ensureOpen();
    return this.#symbols.infos();
  }

  async setSymbolInfo(info: SymbolInfo): Promise<void> {
    this.#writable("set symbol info");
    const checked = checkSymbolInfo(info);
    await this.#exclusive(async () => {
      const id = this.#symbols.reserve(checked.symbol);
      const row = this.#symbols.byId(id)!;
      const values = {
        id,
        name: checked.symbol,
        calendar: checked.calendar,
        zone: checked.timeZone,
        decimals: checked.priceDecimals,
      };
      await this.#main.run(
        row.stored
          ? "UPDATE symbols SET calendar = $calendar, time_zone = $zone, price_decimals = $decimals WHERE id = $id AND name = $name"
          : "INSERT INTO symbols (id, name, calendar, time_zone, price_decimals, bar_count) VALUES ($id, $name, $calendar, $zone, $decimals, 0)",
        values,
      );
      row.stored = true;
      row.info = checked;
    });
  }

  async readBars(symbol: string, from: number, to: number): Promise<Bar[]> {
    checkTimeRange("readBars", from, to);
    const name = normalizeSymbol(symbol);
    return this.#exclusive(async () => {
      const sid = this.#symbols.withBars(name)?.id;
      if (sid === undefined || !(from < to)) return [];
      return readDuckDbBars(this.#main, sid, from, to);
    });
  }

  /**
   * Streams `[from, to)` in (time, symbol) order. Chunks hold at most 2,048 bars (DuckDB's
   * vector size; a smaller `chunkSize` is honoured), so fetching the next overlaps the
   * consumer's work on the current one.
   */
  scan(options: ScanOptions): AsyncIterable<BarChunk> {
    this.#ensureOpen();
    const request = withStoredSymbols(options);
    return scanDuckDb(
      {
        connect: async () => {
          this.#ensureOpen();
          const c = await this.#instance.connect();
          this.#scans.add(c);
          return c;
        },
        disconnect: (c) => {
          if (this.#scans.delete(c)) c.closeSync();
        },
      },
      this.#symbols.names(),
      request,
      this.#windowRows,
    );
  }

  async symbols(): Promise<string[]> {
    this.#ensureOpen();
    return this.#symbols.symbolsWithBars();
  }

  /** One query: see duckdb-day-counts.ts. */
  async countBars(options: CountBarsOptions): Promise<number[][]> {
    this.#ensureOpen();
    return this.#exclusive(() =>
      countDuckDbBars(this.#main, (s) => this.#symbols.withBars(s)?.id, options),
    );
  }

  async coverage(symbol: string): Promise<Coverage | undefined> {
    const name = normalizeSymbol(symbol);
    return this.#exclusive(async () => {
      const sid = this.#symbols.withBars(name)?.id;
      if (sid === undefined) return undefined;
      return duckDbCoverage(this.#main, sid);
    });
  }

  /**
   * Every symbol's coverage and bars by provenance in one query, sorted by symbol: what
   * `sessiondata info` lists.
   */
  async summary(): Promise<SymbolSummary[]> {
    return this.#exclusive(() => duckDbSummary(this.#main, this.#symbols.names()));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    await this.#tail;
    // Written symbols are checkpointed and the marker cleared before DuckDB's own shutdown.
    if (this.#marker.value !== undefined) await this.#marker.checkpoint().catch(() => undefined);
    this.#closed = true;
    // A scan still open fails on its next fetch and closes its own connections; closing them
    // here while a query may run would take the process down.
    for (const c of this.#scans) c.interrupt();
    this.#idle?.closeSync();
    this.#idle = undefined;
    this.#main.closeSync();
    this.#instance.closeSync();
    if (this.#file) openFiles.delete(resolve(this.#path));
  }
}
