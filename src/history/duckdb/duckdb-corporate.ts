/**
 * The {@link CorporateActionStore} in the DuckDB store's file: tables `factor_rows` and
 * `map_rows` (schema version 3, see duckdb-schema.ts), written in one transaction per batch.
 */
import type { DuckDBConnection } from "@duckdb/node-api";
import {
  type CorporateActionBatch,
  type CorporateActionStore,
  checkBatch,
} from "../corporate/corporate-action-store.js";
import type { FactorRow } from "../corporate/factor-file.js";
import type { MapRow } from "../corporate/map-file.js";
import { normalizeSymbol } from "../symbol-info.js";
import { inTransaction } from "./duckdb-schema.js";
import { sqlString } from "./duckdb-sql.js";

/** What the adapter needs of the `DuckDbBarStore` whose file it shares. */
export interface CorporateHost {
  readonly connection: DuckDBConnection;
  /** Runs `task` after every earlier operation of the store (one connection, one at a time). */
  exclusive<T>(task: () => Promise<T>): Promise<T>;
  /** Throws unless the store is open for writing (`ReadOnlyStoreError` names `what`). */
  writable(what: string): void;
}

/** A write of at least this many rows is checkpointed at once (as the bar store's are). */
const CHECKPOINT_ROWS = 100_000;

/** Rows per INSERT statement. */
const INSERT_ROWS = 1000;

// Through text, so DuckDB's shortest-round-trip parse gives back the exact double.
const real = (n: number): string => `CAST('${String(n)}' AS DOUBLE)`;

/**
 * Factor and map rows in DuckDB. A version-2 file opened read-only has neither table: it reads
 * as holding no corporate actions.
 */
export class DuckDbCorporateActionStore implements CorporateActionStore {
  readonly #host: CorporateHost;
  #tables: Promise<boolean> | undefined;

  constructor(host: CorporateHost) {
    this.#host = host;
  }

  async writeCorporateActions(batch: CorporateActionBatch): Promise<void> {
    this.#host.writable("write corporate actions");
    const { factorFiles, mapFiles } = checkBatch(batch);
    const statements: string[] = [];
    if (factorFiles.length > 0) {
      statements.push(
        `DELETE FROM factor_rows WHERE symbol IN (${factorFiles.map(([s]) => sqlString(s)).join(", ")})`,
      );
      const values = factorFiles.flatMap(([symbol, rows]) =>
        rows.map(
          (r) =>
            `(${sqlString(symbol)}, ${sqlString(r.date)}, ${real(r.priceFactor)}, ${real(r.splitFactor)}, ${real(r.referencePrice)})`,
        ),
      );
      for (let i = 0; i < values.length; i += INSERT_ROWS) {
        statements.push(
          `INSERT INTO factor_rows VALUES ${values.slice(i, i + INSERT_ROWS).join(", ")}`,
        );
      }
    }
    if (mapFiles.length > 0) {
      statements.push(
        `DELETE FROM map_rows WHERE permtick IN (${mapFiles.map(([s]) => sqlString(s)).join(", ")})`,
      );
      const values = mapFiles.flatMap(([permtick, rows]) =>
        rows.map(
          (r) =>
            `(${sqlString(permtick)}, ${sqlString(r.date)}, ${sqlString(r.ticker)}, ${r.exchange === undefined ? "NULL" : sqlString(r.exchange)})`,
        ),
      );
      for (let i = 0; i < values.length; i += INSERT_ROWS) {
        statements.push(
          `INSERT INTO map_rows VALUES ${values.slice(i, i + INSERT_ROWS).join(", ")}`,
        );
      }
    }
    if (statements.length === 0) return;
    const rows = [...factorFiles, ...mapFiles].reduce((n, [, r]) => n + r.length, 0);
    await this.#host.exclusive(async () => {
      await inTransaction(this.#host.connection, statements);
      // A write this large reaches the file before its commit, the case DuckDB's WAL replay gets
      // wrong after a crash (duckdb-integrity.ts): checkpoint it at once, as bar writes do.
      if (rows >= CHECKPOINT_ROWS)
        await this.#host.connection.run("CHECKPOINT").catch(() => undefined);
    });
  }

  async factorRows(symbol: string): Promise<FactorRow[]> {
    const rows = await this.#read(
      `SELECT date, price_factor, split_factor, reference_price FROM factor_rows
       WHERE symbol = ${sqlString(normalizeSymbol(symbol))} ORDER BY date`,
    );
    return rows.map(([date, pf, sf, ref]) => ({
      date: String(date),
      priceFactor: Number(pf),
      splitFactor: Number(sf),
      referencePrice: Number(ref),
    }));
  }

  async mapRows(permtick: string): Promise<MapRow[]> {
    const rows = await this.#read(
      `SELECT date, ticker, exchange FROM map_rows WHERE permtick = ${sqlString(normalizeSymbol(permtick))} ORDER BY date`,
    );
    return rows.map(([date, ticker, exchange]) => ({
      date: String(date),
      ticker: String(ticker),
      ...(exchange === null ? {} : { exchange: String(exchange) }),
    }));
  }

  async factorSymbols(): Promise<string[]> {
    const rows = await this.#read("SELECT DISTINCT symbol FROM factor_rows ORDER BY symbol");
    return rows.map(([s]) => String(s));
  }

  async mapTickers(): Promise<Map<string, string[]>> {
    const rows = await this.#read(
      "SELECT DISTINCT permtick, ticker FROM map_rows ORDER BY permtick, ticker",
    );
    const out = new Map<string, string[]>();
    for (const [p, t] of rows) {
      const list = out.get(String(p)) ?? [];
      list.push(String(t));
      out.set(String(p), list);
    }
    return out;
  }

  async #read(sql: string): Promise<unknown[][]> {
    return this.#host.exclusive(async () => {
      if (!(await this.#hasTables())) return [];
      const reader = await this.#host.connection.runAndReadAll(sql);
      return reader.getRows() as unknown[][];
    });
  }

  #hasTables(): Promise<boolean> {
    this.#tables ??= this.#host.connection
      .runAndReadAll(
        `SELECT count(*) FROM duckdb_tables()
         WHERE database_name = current_database() AND schema_name = 'main' AND table_name = 'factor_rows'`,
      )
      .then((r) => Number(r.getRows()[0]?.[0] ?? 0) > 0);
    return this.#tables;
  }
}
