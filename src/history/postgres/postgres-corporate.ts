/**
 * The {@link CorporateActionStore} in the PostgreSQL store's schema: tables `factor_rows` and
 * `map_rows` (schema version 3, see postgres-schema.ts), each batch written in one transaction.
 */
import type pg from "pg";
import {
  type CorporateActionBatch,
  type CorporateActionStore,
  checkBatch,
} from "../corporate/corporate-action-store.js";
import type { FactorRow } from "../corporate/factor-file.js";
import type { MapRow } from "../corporate/map-file.js";
import { normalizeSymbol } from "../symbol-info.js";
import { PostgresConnectionError } from "./postgres-errors.js";
import { LOCK_CORPORATE, q } from "./postgres-schema.js";

/** What the adapter needs of the `PostgresBarStore` whose schema it shares. */
export interface PgCorporateHost {
  readonly schema: string;
  /** Throws unless the store is open for writing (`ReadOnlyStoreError` names `what`). */
  writable(what: string): void;
  /** One query on a pooled connection, connection failures translated. */
  query<R extends pg.QueryResultRow>(during: string, sql: string, values?: unknown[]): Promise<R[]>;
  /** A pooled connection for a transaction, and its release (`broken`: close it). */
  acquire(during: string): Promise<pg.PoolClient>;
  release(client: pg.PoolClient, broken: boolean): void;
  translate(error: unknown, during: string): unknown;
}

/**
 * Factor and map rows in PostgreSQL. A batch replaces the rows of every symbol it names in one
 * transaction; batches of one schema take turns under an advisory lock, so two hosts writing the
 * same symbol at once both succeed and the later commit's rows are the ones kept (without the
 * lock, the second one's INSERT would meet rows its DELETE could not see, a key violation).
 * Doubles go as text both ways (JavaScript's shortest round-trip form, and the server's since
 * version 12), so they come back to the last bit.
 */
export class PostgresCorporateActionStore implements CorporateActionStore {
  readonly #host: PgCorporateHost;

  constructor(host: PgCorporateHost) {
    this.#host = host;
  }

  async writeCorporateActions(batch: CorporateActionBatch): Promise<void> {
    this.#host.writable("write corporate actions");
    const { factorFiles, mapFiles } = checkBatch(batch);
    if (factorFiles.length === 0 && mapFiles.length === 0) return;
    const s = q(this.#host.schema);
    const factors = { symbol: [] as string[], date: [] as string[], pf: [] as number[] };
    const split: number[] = [];
    const reference: number[] = [];
    for (const [symbol, rows] of factorFiles) {
      for (const r of rows) {
        factors.symbol.push(symbol);
        factors.date.push(r.date);
        factors.pf.push(r.priceFactor);
        split.push(r.splitFactor);
        reference.push(r.referencePrice);
      }
    }
    const maps = { permtick: [] as string[], date: [] as string[], ticker: [] as string[] };
    const exchange: (string | null)[] = [];
    for (const [permtick, rows] of mapFiles) {
      for (const r of rows) {
        maps.permtick.push(permtick);
        maps.date.push(r.date);
        maps.ticker.push(r.ticker);
        exchange.push(r.exchange ?? null);
      }
    }
    const during = "write of corporate actions";
    const client = await this.#host.acquire(during);
    let broken = true;
    try {
      await client.query("BEGIN");
      try {
        await client.query("SELECT pg_advisory_xact_lock($1, hashtext($2))", [
          LOCK_CORPORATE,
          this.#host.schema,
        ]);
        if (factorFiles.length > 0) {
          await client.query(`DELETE FROM ${s}.factor_rows WHERE symbol = ANY($1::text[])`, [
            factorFiles.map(([name]) => name),
          ]);
          await client.query(
            `INSERT INTO ${s}.factor_rows (symbol, date, price_factor, split_factor, reference_price)
             SELECT * FROM unnest($1::text[], $2::text[], $3::float8[], $4::float8[], $5::float8[])`,
            [factors.symbol, factors.date, factors.pf, split, reference],
          );
        }
        if (mapFiles.length > 0) {
          await client.query(`DELETE FROM ${s}.map_rows WHERE permtick = ANY($1::text[])`, [
            mapFiles.map(([name]) => name),
          ]);
          await client.query(
            `INSERT INTO ${s}.map_rows (permtick, date, ticker, exchange)
             SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])`,
            [maps.permtick, maps.date, maps.ticker, exchange],
          );
        }
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw error;
      }
      broken = false;
    } catch (error) {
      const translated = this.#host.translate(error, during);
      broken = translated instanceof PostgresConnectionError;
      throw translated;
    } finally {
      this.#host.release(client, broken);
    }
  }

  async factorRows(symbol: string): Promise<FactorRow[]> {
    const name = normalizeSymbol(symbol);
    const rows = await this.#host.query<{ date: string; pf: number; sf: number; ref: number }>(
      `factor rows of ${name}`,
      `SELECT date, price_factor AS pf, split_factor AS sf, reference_price AS ref
       FROM ${q(this.#host.schema)}.factor_rows WHERE symbol = $1 ORDER BY date`,
      [name],
    );
    return rows.map((r) => ({
      date: r.date,
      priceFactor: r.pf,
      splitFactor: r.sf,
      referencePrice: r.ref,
    }));
  }

  async mapRows(permtick: string): Promise<MapRow[]> {
    const name = normalizeSymbol(permtick);
    const rows = await this.#host.query<{ date: string; ticker: string; exchange: string | null }>(
      `map rows of ${name}`,
      `SELECT date, ticker, exchange FROM ${q(this.#host.schema)}.map_rows
       WHERE permtick = $1 ORDER BY date`,
      [name],
    );
    return rows.map((r) => ({
      date: r.date,
      ticker: r.ticker,
      ...(r.exchange === null ? {} : { exchange: r.exchange }),
    }));
  }

  async factorSymbols(): Promise<string[]> {
    const rows = await this.#host.query<{ symbol: string }>(
      "listing of factor files",
      `SELECT DISTINCT symbol FROM ${q(this.#host.schema)}.factor_rows ORDER BY symbol`,
    );
    return rows.map((r) => r.symbol);
  }

  async mapTickers(): Promise<Map<string, string[]>> {
    const rows = await this.#host.query<{ permtick: string; ticker: string }>(
      "listing of map files",
      `SELECT DISTINCT permtick, ticker FROM ${q(this.#host.schema)}.map_rows
       ORDER BY permtick, ticker`,
    );
    const out = new Map<string, string[]>();
    for (const { permtick, ticker } of rows) {
      const list = out.get(permtick) ?? [];
      list.push(ticker);
      out.set(permtick, list);
    }
    return out;
  }
}
