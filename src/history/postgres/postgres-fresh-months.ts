/**
 * Loading a large month that has no partition yet, on two connections. `INSERT … SELECT` writes
 * one WAL record per row; `COPY … FROM` writes one per page of rows (about half the WAL of a
 * 4 M-row month, measured: 258 against 466 MB) and takes a third of the time. So the merge's
 * connection (A, in the write's transaction, holding the merge lock and the staged rows) streams
 * the month's rows out with `COPY (SELECT …) TO STDOUT (FORMAT binary)`, and a second connection
 * (B) streams the same bytes into a standalone load table with `COPY … FROM STDIN (FORMAT
 * binary)`, the two running at once. B commits the load table (A could not see it otherwise),
 * then A and B build its two indexes at once (both `CREATE INDEX`, whose SHARE locks do not
 * conflict), and A makes the unique one the primary key, renames the table to the partition's
 * name and attaches it, all in the write's transaction.
 *
 * All or nothing: until A commits, the load table is not part of `bars` (no reader sees it).
 * When the write fails, A drops it; when the process dies first, the next merge of the schema
 * drops it (load tables exist only while a merge holds the lock, so any one found under the
 * lock is left over). Only what A commits is the store's.
 */
import { randomBytes } from "node:crypto";
import { pipeline } from "node:stream/promises";
import type { PoolClient } from "pg";
import { from as copyFrom, to as copyTo } from "pg-copy-streams";
import { monthStart, partitionName, q } from "./postgres-schema.js";

/** A fresh month with at least this many rows is loaded on two connections. */
export const TWO_CONNECTION_ROWS = 100_000;

/** The load tables' name prefix (never a partition's: those are `bars_…`). */
const LOAD_PREFIX = "sd_load_";

/**
 * Drops the load tables a dead writer left in `schema`. Call it under the merge lock only (in
 * the merge's transaction: new load tables have names of their own, so nothing waits on it).
 */
export async function dropLeftLoadTables(client: PoolClient, schema: string): Promise<void> {
  const { rows } = await client.query<{ relname: string }>(
    `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = $1 AND c.relkind = 'r' AND c.relname LIKE '${LOAD_PREFIX}%'`,
    [schema],
  );
  for (const { relname } of rows) {
    await client.query(`DROP TABLE IF EXISTS ${q(schema)}."${relname}"`);
  }
}

/** A load table's name for a month: unique per attempt, so a left-over one never collides. */
export function loadTableName(month: number): string {
  return `${LOAD_PREFIX}${partitionName(month)}_${randomBytes(4).toString("hex")}`;
}

/**
 * Loads month `month` into table `loadName` from `select` (a query on `a` giving the partition's
 * columns in their order, ordered by (time, sid)) and attaches it as the month's partition within
 * `a`'s open transaction. `b` is a second connection with no transaction open. On failure either
 * may be mid-statement (the caller closes both) and the load table may exist (the caller drops
 * it when it can; else the next merge does).
 */
export async function loadFreshMonth(
  a: PoolClient,
  b: PoolClient,
  schema: string,
  month: number,
  loadName: string,
  select: string,
): Promise<void> {
  const s = q(schema);
  const name = partitionName(month);
  const load = `${s}.${loadName}`;
  const from = monthStart(month);
  const to = monthStart(month + 1);
  await b.query("BEGIN");
  // The CHECK is tested row by row during the COPY (no scan afterwards) and lets ATTACH skip its
  // validating scan; it is dropped once attached, as the partition bound says the same.
  await b.query(`CREATE TABLE ${load} (LIKE ${s}.bars INCLUDING DEFAULTS,
    CONSTRAINT ${name}_bound CHECK (time >= ${from} AND time < ${to}))`);
  const into = b.query(copyFrom(`COPY ${load} FROM STDIN (FORMAT binary)`));
  const out = a.query(copyTo(`COPY (${select}) TO STDOUT (FORMAT binary)`));
  await pipeline(out, into);
  await b.query("COMMIT");
  await Promise.all([
    a.query(`CREATE UNIQUE INDEX ${name}_pkey ON ${load} (sid, time)`),
    (async () => {
      await b.query("BEGIN");
      await b.query("SET LOCAL maintenance_work_mem = '256MB'");
      await b.query(`CREATE INDEX ${loadName}_time_sid ON ${load} (time, sid)`);
      await b.query("COMMIT");
    })(),
  ]);
  await a.query(
    `ALTER TABLE ${load} ADD CONSTRAINT ${name}_pkey PRIMARY KEY USING INDEX ${name}_pkey`,
  );
  await a.query(`ALTER INDEX ${s}.${loadName}_time_sid RENAME TO ${name}_time_sid`);
  await a.query(`ALTER TABLE ${load} RENAME TO ${name}`);
  await a.query(
    `ALTER TABLE ${s}.bars ATTACH PARTITION ${s}.${name} FOR VALUES FROM (${from}) TO (${to})`,
  );
  await a.query(`ALTER TABLE ${s}.${name} DROP CONSTRAINT ${name}_bound`);
}

/** Drops a load table a failed write left, if it can (the next merge drops it otherwise). */
export async function dropLoadTable(
  client: PoolClient,
  schema: string,
  loadName: string,
): Promise<void> {
  await client.query(`DROP TABLE IF EXISTS ${q(schema)}.${loadName}`).catch(() => undefined);
}
