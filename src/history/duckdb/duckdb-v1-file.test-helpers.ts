/**
 * Builds a schema-version-1 database the way sessiondata 0.1 (round one) wrote it: its exact DDL
 * and its writer's statements (symbols row, then `INSERT INTO bars SELECT … FROM stage`), so the
 * upgrade is tested on what users have on disk.
 */
import { DuckDBInstance } from "@duckdb/node-api";

/** Round one's schema, verbatim. */
const V1_SCHEMA = [
  "CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)",
  "CREATE TABLE IF NOT EXISTS symbols (id INTEGER PRIMARY KEY, name VARCHAR NOT NULL UNIQUE)",
  `CREATE TABLE IF NOT EXISTS bars (sid INTEGER NOT NULL, time BIGINT NOT NULL,
     open DOUBLE NOT NULL, high DOUBLE NOT NULL, low DOUBLE NOT NULL, close DOUBLE NOT NULL,
     volume DOUBLE NOT NULL)`,
  `INSERT INTO meta VALUES ('schema_version', '1') ON CONFLICT DO NOTHING`,
];

/** One symbol's bars for {@link writeV1File}: `count` minutes from `start`, prices from `base`. */
export interface V1Series {
  readonly symbol: string;
  readonly start: number;
  readonly count: number;
  readonly base: number;
  /** Store every bar twice, as round one's crash defect left them (issue #13). */
  readonly doubled?: boolean;
}

/** The bar round one's writer stored for minute `i` of a series (what the tests expect back). */
export function v1Bar(series: V1Series, i: number) {
  const open = series.base + (i % 7) * 0.25;
  return {
    time: series.start + i * 60_000,
    open,
    high: open + 1,
    low: open - 1,
    close: open + 0.5,
    volume: 100 + i,
  };
}

/** Writes a version-1 database at `path` holding the series. */
export async function writeV1File(path: string, series: readonly V1Series[]): Promise<void> {
  const instance = await DuckDBInstance.create(path);
  const c = await instance.connect();
  try {
    for (const sql of V1_SCHEMA) await c.run(sql);
    for (const [id, s] of series.entries()) {
      await c.run("BEGIN TRANSACTION");
      await c.run("INSERT INTO symbols VALUES ($id, $name)", { id, name: s.symbol });
      const copies = s.doubled ? 2 : 1;
      await c.run(
        `INSERT INTO bars SELECT ${id}, ${s.start} + i * 60000, ${s.base} + (i % 7) * 0.25 AS o,
           o + 1, o - 1, o + 0.5, 100 + i
         FROM range(${s.count}) t(i), range(${copies}) k(copy)`,
      );
      await c.run("COMMIT");
    }
  } finally {
    c.closeSync();
    instance.closeSync();
  }
}

/** Runs SQL on a database file directly (to fake states no sessiondata writes). */
export async function runSql(path: string, statements: readonly string[]): Promise<void> {
  const instance = await DuckDBInstance.create(path);
  const c = await instance.connect();
  try {
    for (const sql of statements) await c.run(sql);
  } finally {
    c.closeSync();
    instance.closeSync();
  }
}
