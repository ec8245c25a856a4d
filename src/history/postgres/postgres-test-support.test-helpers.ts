/**
 * Test helpers for the PostgreSQL store: every store a test opens lives in a schema of its own
 * (named after the process and a counter), dropped when the store is closed, so tests run in
 * parallel against one server and leave nothing behind.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { PG_TEST_URL } from "../../../test/requirements.js";
import { PostgresBarStore, type PostgresBarStoreOptions } from "./postgres-bar-store.js";

let counter = 0;

/** A schema name no other test uses. */
export function testSchemaName(): string {
  return `sdt_${process.pid}_${++counter}_${randomBytes(3).toString("hex")}`;
}

/** Runs `sql` on a connection of its own (for set-up and clean-up outside the store). */
export async function adminQuery<R extends pg.QueryResultRow = pg.QueryResultRow>(
  sql: string,
  values?: unknown[],
  url = PG_TEST_URL,
): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(sql, values)).rows;
  } finally {
    await client.end();
  }
}

/** Drops a test schema and everything in it. */
export async function dropSchema(schema: string): Promise<void> {
  await adminQuery(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
}

/**
 * Opens a store in a fresh schema (or `options.schema`) whose `close` also drops the schema
 * unless `keep` is set.
 */
export async function openTestStore(
  options: Partial<PostgresBarStoreOptions> & { readonly keep?: boolean } = {},
): Promise<PostgresBarStore> {
  const schema = options.schema ?? testSchemaName();
  const store = await PostgresBarStore.open({ url: PG_TEST_URL, ...options, schema });
  if (options.keep !== true) {
    const close = store.close.bind(store);
    Object.defineProperty(store, "close", {
      value: async () => {
        await close();
        await dropSchema(schema);
      },
    });
  }
  return store;
}
