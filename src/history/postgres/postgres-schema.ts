/**
 * The PostgreSQL store's tables, their version, the upgrade from older versions, and the monthly
 * partitions of `bars`. Everything lives in one schema (default `sessiondata`), so several
 * histories can share a database and a test can drop its own.
 *
 * Version 3 (this one):
 * - `schema_version(version, written_by, migrated_at)`: one row.
 * - `symbols(id, name, calendar, time_zone, price_decimals)`: one row per symbol, `name` upper
 *   case and unique in the "C" collation (byte order, the order `scan` and `symbols()` promise);
 *   `calendar` NULL until an import sets it. `id` is an identity, so concurrent writers on
 *   several hosts get distinct ids without coordinating.
 * - `bars(sid, time, open, high, low, close, volume, provenance)`, range-partitioned by month on
 *   `time`, primary key `(sid, time)` (what `readBars` and `coverage` use and upserts conflict
 *   on), and an index on `(time, sid)` (what `scan` streams in order, without a sort). Times are
 *   epoch-ms `bigint`, not `timestamptz`: the value the rest of sessiondata uses, exact, with no
 *   session time zone between the client and the partition bounds, and 8 bytes either way.
 *   Prices and volume are `double precision`, the JavaScript number exactly.
 *   `provenance` is a `PROVENANCE_CODES` value, 0 when not recorded.
 * - `factor_rows(symbol, date, price_factor, split_factor, reference_price)`, primary key
 *   `(symbol, date)`: LEAN factor rows; `map_rows(permtick, date, ticker, exchange)`, primary key
 *   `(permtick, date)`: LEAN map rows (see postgres-corporate.ts). Dates are `YYYY-MM-DD` text in
 *   the "C" collation, as the DuckDB file keeps them: no server time zone or `DateStyle` between
 *   the file's date and the one read back.
 *
 * Version 1 had no `(time, sid)` index (an ordered scan then sorted each range on the server),
 * version 2 no corporate-action tables; {@link openPgSchema} upgrades either in one transaction.
 */
import type { PoolClient } from "pg";
import { NoDatabaseError, StoreVersionError } from "../store-errors.js";

/** The schema version this code writes and reads. */
export const PG_SCHEMA_VERSION = 3;

/**
 * Advisory-lock class ids (the first of the two-int key): schema changes, writes' merges,
 * corporate-action writes.
 */
export const LOCK_SCHEMA = 0x5d01;
export const LOCK_MERGE = 0x5d02;
export const LOCK_CORPORATE = 0x5d03;

/** The schema's name quoted as an identifier (names are checked to be plain identifiers). */
export function q(schema: string): string {
  return `"${schema}"`;
}

/** The DDL of a version-`version` store in `schema` (1 exists for the upgrade's tests). */
export function schemaDdl(schema: string, version = PG_SCHEMA_VERSION): string[] {
  const s = q(schema);
  const ddl = [
    `CREATE TABLE ${s}.schema_version (version integer NOT NULL, written_by text NOT NULL,
       migrated_at timestamptz NOT NULL DEFAULT now())`,
    `INSERT INTO ${s}.schema_version (version, written_by) VALUES (${version}, 'sessiondata')`,
    `CREATE TABLE ${s}.symbols (id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
       name text COLLATE "C" NOT NULL UNIQUE, calendar text, time_zone text, price_decimals smallint)`,
    `CREATE TABLE ${s}.bars (sid integer NOT NULL, time bigint NOT NULL,
       open double precision NOT NULL, high double precision NOT NULL,
       low double precision NOT NULL, close double precision NOT NULL,
       volume double precision NOT NULL, provenance smallint NOT NULL DEFAULT 0,
       PRIMARY KEY (sid, time)) PARTITION BY RANGE (time)`,
  ];
  if (version >= 2) ddl.push(TIME_INDEX(schema));
  if (version >= 3) ddl.push(...CORPORATE_DDL(schema));
  return ddl;
}

/** The corporate-action tables version 3 adds. */
const CORPORATE_DDL = (schema: string): string[] => [
  `CREATE TABLE ${q(schema)}.factor_rows (symbol text COLLATE "C" NOT NULL,
     date text COLLATE "C" NOT NULL, price_factor double precision NOT NULL,
     split_factor double precision NOT NULL, reference_price double precision NOT NULL,
     PRIMARY KEY (symbol, date))`,
  `CREATE TABLE ${q(schema)}.map_rows (permtick text COLLATE "C" NOT NULL,
     date text COLLATE "C" NOT NULL, ticker text COLLATE "C" NOT NULL, exchange text,
     PRIMARY KEY (permtick, date))`,
];

const TIME_INDEX = (schema: string): string =>
  `CREATE INDEX bars_time_sid ON ${q(schema)}.bars (time, sid)`;

/** The upgrades: `MIGRATIONS[v]` takes version `v` to `v + 1`. */
const MIGRATIONS: Record<number, (schema: string) => string[]> = {
  1: (schema) => [TIME_INDEX(schema)],
  2: CORPORATE_DDL,
};

/** What {@link openPgSchema} did. */
export type PgSchemaOutcome =
  | { readonly kind: "created" }
  | { readonly kind: "current" }
  | { readonly kind: "migrated"; readonly from: number };

/**
 * Makes `schema` a current sessiondata store, under an advisory lock so that processes opening a
 * new or old store at once do it once: creates it when absent (unless `readOnly` or
 * `create: false`: `NoDatabaseError`), upgrades an older version in one transaction, refuses a
 * newer one or a schema holding other tables (`StoreVersionError`).
 */
export async function openPgSchema(
  client: PoolClient,
  where: string,
  schema: string,
  options: { readonly readOnly: boolean; readonly create: boolean },
): Promise<PgSchemaOutcome> {
  const label = `${where} schema ${schema}`;
  await client.query("BEGIN");
  try {
    await client.query("SELECT pg_advisory_xact_lock($1, hashtext($2))", [LOCK_SCHEMA, schema]);
    const outcome = await openLocked(client, label, schema, options);
    await client.query("COMMIT");
    return outcome;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  }
}

async function openLocked(
  client: PoolClient,
  label: string,
  schema: string,
  options: { readonly readOnly: boolean; readonly create: boolean },
): Promise<PgSchemaOutcome> {
  const tables = (
    await client.query<{ relname: string }>(
      `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND NOT c.relispartition ORDER BY 1`,
      [schema],
    )
  ).rows.map((r) => r.relname);
  if (!tables.includes("schema_version")) {
    if (tables.length > 0) {
      throw new StoreVersionError(
        label,
        "none",
        `${label} is not a sessiondata store (it has tables ${tables.join(", ")} and no schema_version): name another with ?schema= in the URL`,
      );
    }
    if (options.readOnly || !options.create) throw new NoDatabaseError(label);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${q(schema)}`);
    for (const sql of schemaDdl(schema)) await client.query(sql);
    return { kind: "created" };
  }
  const found = String(
    (
      await client.query<{ v: unknown }>(
        `SELECT max(version) AS v FROM ${q(schema)}.schema_version`,
      )
    ).rows[0]?.v ?? "missing",
  );
  const version = /^\d+$/.test(found) ? Number(found) : Number.NaN;
  if (version === PG_SCHEMA_VERSION) return { kind: "current" };
  if (version > PG_SCHEMA_VERSION) {
    throw new StoreVersionError(
      label,
      found,
      `${label} has schema version ${found}, written by a newer sessiondata; this one reads version ${PG_SCHEMA_VERSION}: upgrade sessiondata on this host`,
    );
  }
  if (!(version >= 1)) {
    throw new StoreVersionError(
      label,
      found,
      `${label} has schema version ${JSON.stringify(found)}, which no sessiondata wrote: name another with ?schema= in the URL`,
    );
  }
  if (options.readOnly) {
    throw new StoreVersionError(
      label,
      found,
      `${label} has schema version ${found}; open it once without --read-only to upgrade it to version ${PG_SCHEMA_VERSION} (in one transaction)`,
    );
  }
  for (let v = version; v < PG_SCHEMA_VERSION; v++) {
    for (const sql of MIGRATIONS[v]!(schema)) await client.query(sql);
  }
  await client.query(`UPDATE ${q(schema)}.schema_version SET version = $1, migrated_at = now()`, [
    PG_SCHEMA_VERSION,
  ]);
  return { kind: "migrated", from: version };
}

/** A month as `year * 12 + monthIndex` (UTC), the key of one partition. */
export function monthOf(time: number): number {
  const d = new Date(time);
  return d.getUTCFullYear() * 12 + d.getUTCMonth();
}

/** The first millisecond of a month key. */
export function monthStart(month: number): number {
  const year = Math.floor(month / 12);
  return Date.UTC(year, month - year * 12, 1);
}

/** The partition's table name for a month key: `bars_202401`, `bars_m0001_01` before year 0. */
export function partitionName(month: number): string {
  const year = Math.floor(month / 12);
  const mm = String(month - year * 12 + 1).padStart(2, "0");
  return year < 0 ? `bars_m${String(-year).padStart(4, "0")}_${mm}` : `bars_${year}${mm}`;
}

/** The month keys of the schema's existing partitions. */
export async function listPartitions(client: PoolClient, schema: string): Promise<Set<number>> {
  const rows = (
    await client.query<{ relname: string }>(
      `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
       WHERE i.inhparent = $1::regclass`,
      [`${q(schema)}.bars`],
    )
  ).rows;
  const months = new Set<number>();
  for (const { relname } of rows) {
    const m = /^bars_(m?)(\d{4,})(?:_?)(\d{2})$/.exec(relname);
    if (m === null) continue;
    const year = (m[1] === "m" ? -1 : 1) * Number(m[2]);
    months.add(year * 12 + Number(m[3]) - 1);
  }
  return months;
}

/**
 * SQL that creates, fills and attaches the partition of a month that does not exist yet, inside
 * the caller's transaction. Filling a fresh table and building its two indexes afterwards (a
 * sorted build each) is 4-5 times faster than inserting through the indexes row by row, and
 * ATTACH PARTITION takes only a SHARE UPDATE EXCLUSIVE lock on `bars`, so readers and scans go
 * on meanwhile (CREATE TABLE … PARTITION OF would lock them out until the write commits). The
 * CHECK constraint, declared with the table so that the INSERT tests it row by row (adding it
 * afterwards scanned the month again: 0.5 s of 4 M rows), lets the attach skip its validating
 * scan; it is dropped once attached, as the partition bound says the same.
 */
export function newPartitionSql(schema: string, month: number, fill: string): string[] {
  const s = q(schema);
  const name = partitionName(month);
  const from = monthStart(month);
  const to = monthStart(month + 1);
  return [
    `CREATE TABLE ${s}.${name} (LIKE ${s}.bars INCLUDING DEFAULTS,
       CONSTRAINT ${name}_bound CHECK (time >= ${from} AND time < ${to}))`,
    `INSERT INTO ${s}.${name} ${fill}`,
    `ALTER TABLE ${s}.${name} ADD PRIMARY KEY (sid, time)`,
    `CREATE INDEX ${name}_time_sid ON ${s}.${name} (time, sid)`,
    `ALTER TABLE ${s}.bars ATTACH PARTITION ${s}.${name} FOR VALUES FROM (${from}) TO (${to})`,
    `ALTER TABLE ${s}.${name} DROP CONSTRAINT ${name}_bound`,
  ];
}
