/**
 * The DuckDB store's tables, their version, and the in-place upgrade from older versions.
 *
 * Version 3 (this one) is version 2 plus the corporate actions (duckdb-corporate.ts):
 * - `factor_rows(symbol, date, price_factor, split_factor, reference_price)`: LEAN factor rows;
 * - `map_rows(permtick, date, ticker, exchange)`: LEAN map rows.
 * Dates are `YYYY-MM-DD` text. A version-2 file is upgraded in place by creating them; read-only,
 * it is read as it is (no corporate actions).
 *
 * Version 2:
 * - `meta(key, value)`: `schema_version`, `last_write` (the id of the last committed write) and
 *   `unverified` (symbols whose writes are not yet checkpointed: see duckdb-integrity.ts).
 * - `symbols(id, name, calendar, time_zone, price_decimals, bar_count)`: one row per symbol;
 *   `calendar` NULL when no import set it; `bar_count` kept by every write, so a crash that
 *   loses or doubles bars is seen by counting.
 * - `bars(sid, time, open, high, low, close, volume, provenance, write_id)`: times as epoch ms
 *   BIGINT, `provenance` a `PROVENANCE_CODES` value or 0, `write_id` the write that stored the row.
 *
 * No table has a primary key or unique index, on purpose: an ART index over (sid, time) costs tens
 * of bytes a row and slows bulk loads (upserts delete the replaced pairs instead), and DuckDB's
 * WAL replay has failed to open databases whose indexes saw a replayed insert (DuckDB #15836,
 * #24744). Uniqueness is the writers' job and the integrity check's, which repairs what a crash
 * leaves.
 *
 * Version 1 had `meta` and `symbols(id, name)` with primary keys and `bars` without the last two
 * columns; {@link migrateSchema} upgrades it in one transaction.
 */
import type { DuckDBConnection } from "@duckdb/node-api";
import { StoreVersionError } from "../store-errors.js";

/** The schema version this code writes and reads. */
export const SCHEMA_VERSION = 3;

/** The tables version 3 adds to version 2. */
export const CORPORATE_DDL: readonly string[] = [
  `CREATE TABLE factor_rows (symbol VARCHAR NOT NULL, date VARCHAR NOT NULL,
     price_factor DOUBLE NOT NULL, split_factor DOUBLE NOT NULL, reference_price DOUBLE NOT NULL)`,
  `CREATE TABLE map_rows (permtick VARCHAR NOT NULL, date VARCHAR NOT NULL, ticker VARCHAR NOT NULL,
     exchange VARCHAR)`,
];

const SYMBOLS_DDL = `CREATE TABLE symbols (id INTEGER NOT NULL, name VARCHAR NOT NULL,
  calendar VARCHAR, time_zone VARCHAR, price_decimals INTEGER, bar_count BIGINT NOT NULL DEFAULT 0)`;
const META_DDL = "CREATE TABLE meta (key VARCHAR NOT NULL, value VARCHAR NOT NULL)";
const META_ROWS = `INSERT INTO meta VALUES ('schema_version', '${SCHEMA_VERSION}'),
  ('last_write', '0'), ('unverified', '')`;

/** Runs statements in one transaction, rolling back when one fails. */
export async function inTransaction(
  connection: DuckDBConnection,
  statements: readonly string[],
): Promise<void> {
  await connection.run("BEGIN TRANSACTION");
  try {
    for (const sql of statements) await connection.run(sql);
    await connection.run("COMMIT");
  } catch (error) {
    await connection.run("ROLLBACK").catch(() => undefined);
    throw error;
  }
}

async function tableNames(connection: DuckDBConnection): Promise<Set<string>> {
  const reader = await connection.runAndReadAll(
    `SELECT table_name FROM duckdb_tables()
     WHERE database_name = current_database() AND schema_name = 'main' AND NOT temporary`,
  );
  return new Set(reader.getRows().map(([name]) => String(name)));
}

/** Every `meta` row as a map (a key stored twice by a replayed write keeps its last value). */
export async function readMeta(connection: DuckDBConnection): Promise<Map<string, string>> {
  const reader = await connection.runAndReadAll("SELECT key, value FROM meta ORDER BY rowid");
  return new Map(reader.getRows().map(([key, value]) => [String(key), String(value)]));
}

/** SQL that sets a `meta` value (the row exists from creation on; keys are never deleted). */
export function setMetaSql(key: string, value: string): string {
  return `UPDATE meta SET value = '${value.replaceAll("'", "''")}' WHERE key = '${key}'`;
}

/**
 * What {@link openSchema} found: `created` for a new database, `migrated` from the version it
 * upgraded, else `current`.
 */
export type SchemaOutcome =
  | { readonly kind: "created" }
  | { readonly kind: "current" }
  | { readonly kind: "migrated"; readonly from: number };

/**
 * Makes the database's schema the current version: creates it in an empty database, upgrades
 * version 1 in place (one transaction: a failure or a crash leaves version 1 as it was), and
 * refuses a newer version or a DuckDB file that is not a sessiondata store. A read-only
 * database is only checked (`StoreVersionError` when it would need an upgrade).
 */
export async function openSchema(
  connection: DuckDBConnection,
  path: string,
  readOnly: boolean,
): Promise<SchemaOutcome> {
  const tables = await tableNames(connection);
  if (!tables.has("meta")) {
    if (tables.size > 0) {
      throw new StoreVersionError(
        path,
        "none",
        `${path} is a DuckDB database but not a sessiondata store (it has tables ${[...tables].sort().join(", ")} and no meta table); pass another --db`,
      );
    }
    if (readOnly) {
      throw new StoreVersionError(
        path,
        "none",
        `${path} is an empty DuckDB database; create the store with \`sessiondata import\` or \`sessiondata generate\``,
      );
    }
    await inTransaction(connection, [
      META_DDL,
      META_ROWS,
      SYMBOLS_DDL,
      `CREATE TABLE bars (sid INTEGER NOT NULL, time BIGINT NOT NULL, open DOUBLE NOT NULL,
         high DOUBLE NOT NULL, low DOUBLE NOT NULL, close DOUBLE NOT NULL, volume DOUBLE NOT NULL,
         provenance UTINYINT NOT NULL DEFAULT 0, write_id BIGINT NOT NULL DEFAULT 0)`,
      ...CORPORATE_DDL,
    ]);
    return { kind: "created" };
  }
  const found = (await readMeta(connection)).get("schema_version") ?? "missing";
  const version = /^\d+$/.test(found) ? Number(found) : Number.NaN;
  if (version === SCHEMA_VERSION) return { kind: "current" };
  if (version > SCHEMA_VERSION) {
    throw new StoreVersionError(
      path,
      found,
      `${path} has schema version ${found}, written by a newer sessiondata; this one reads version ${SCHEMA_VERSION}: upgrade sessiondata`,
    );
  }
  if (version === 2) {
    // Version 3 only adds tables: a reader of a version-2 file sees no corporate actions.
    if (readOnly) return { kind: "current" };
    await inTransaction(connection, [...CORPORATE_DDL, setMetaSql("schema_version", "3")]);
    return { kind: "current" };
  }
  if (version !== 1) {
    throw new StoreVersionError(
      path,
      found,
      `${path} has schema version ${JSON.stringify(found)}, which no sessiondata wrote; pass another --db`,
    );
  }
  if (readOnly) {
    throw new StoreVersionError(
      path,
      found,
      `${path} has schema version 1; open it once without --read-only to upgrade it to version ${SCHEMA_VERSION} (in place, in one transaction)`,
    );
  }
  await migrateSchema(connection);
  return { kind: "migrated", from: 1 };
}

/**
 * Upgrades version 1 to version 3 in one transaction (version 2's changes, then the corporate
 * tables): `symbols` and `meta` are rebuilt without
 * their indexes (and `symbols` gains its counts), `bars` gains `provenance` and `write_id` (0:
 * not recorded, and written before write ids existed).
 */
async function migrateSchema(connection: DuckDBConnection): Promise<void> {
  await inTransaction(connection, [
    SYMBOLS_DDL.replace("CREATE TABLE symbols", "CREATE TABLE symbols_v2"),
    // Distinct times: a version-1 file may hold the doubled rows of round one's crash defect,
    // which the check after the upgrade removes.
    `INSERT INTO symbols_v2 (id, name, bar_count)
       SELECT s.id, s.name, coalesce(c.n, 0) FROM symbols s
       LEFT JOIN (SELECT sid, count(DISTINCT time) AS n FROM bars GROUP BY sid) c ON c.sid = s.id`,
    "DROP TABLE symbols",
    "ALTER TABLE symbols_v2 RENAME TO symbols",
    "DROP TABLE meta",
    META_DDL,
    META_ROWS,
    "ALTER TABLE bars ADD COLUMN provenance UTINYINT DEFAULT 0",
    "ALTER TABLE bars ALTER COLUMN provenance SET NOT NULL",
    "ALTER TABLE bars ADD COLUMN write_id BIGINT DEFAULT 0",
    "ALTER TABLE bars ALTER COLUMN write_id SET NOT NULL",
    ...CORPORATE_DDL,
  ]);
}
