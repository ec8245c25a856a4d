import { describe, expect, it } from "vitest";
import { PG_TEST_URL, postgres, requiring } from "../../../test/requirements.js";
import { contractBar } from "../bar-store.contract.js";
import { NoDatabaseError, ReadOnlyStoreError, StoreVersionError } from "../store-errors.js";
import { PostgresBarStore } from "./postgres-bar-store.js";
import {
  monthOf,
  monthStart,
  PG_SCHEMA_VERSION,
  partitionName,
  q,
  schemaDdl,
} from "./postgres-schema.js";
import {
  adminQuery,
  dropSchema,
  openTestStore,
  testSchemaName,
} from "./postgres-test-support.test-helpers.js";

const pgTests = requiring(await postgres());
const M = 60_000;

/** Runs `body` with a fresh schema name, dropping the schema afterwards. */
async function withSchema(body: (schema: string) => Promise<void>): Promise<void> {
  const schema = testSchemaName();
  try {
    await body(schema);
  } finally {
    await dropSchema(schema);
  }
}

describe("partition months", () => {
  it("names and bounds months in UTC, also before year 0 and at month ends", () => {
    const jan = monthOf(Date.UTC(2024, 0, 31, 23, 59));
    expect(partitionName(jan)).toBe("bars_202401");
    expect(monthStart(jan)).toBe(Date.UTC(2024, 0, 1));
    expect(monthStart(jan + 1), "the next month's start is this one's end").toBe(
      Date.UTC(2024, 1, 1),
    );
    expect(monthOf(Date.UTC(2024, 1, 1)), "the first minute of February").toBe(jan + 1);
    expect(partitionName(monthOf(Date.UTC(1969, 11, 31)))).toBe("bars_196912");
    expect(partitionName(monthOf(Date.UTC(-1, 5, 1)))).toBe("bars_m0001_06");
  });
});

pgTests.describe("PostgresBarStore schema", () => {
  it("creates version 2 on first use: partitioned bars, PK (sid, time), scan index", async () => {
    await withSchema(async (schema) => {
      const store = await PostgresBarStore.open({ url: PG_TEST_URL, schema });
      await store.close();
      const [version] = await adminQuery<{ version: number }>(
        `SELECT version FROM ${q(schema)}.schema_version`,
      );
      expect(version?.version).toBe(PG_SCHEMA_VERSION);
      const [part] = await adminQuery<{ def: string }>(
        "SELECT pg_get_partkeydef($1::regclass) AS def",
        [`${q(schema)}.bars`],
      );
      expect(part?.def).toBe('RANGE ("time")');
      const indexes = await adminQuery<{ indexdef: string }>(
        "SELECT indexdef FROM pg_indexes WHERE schemaname = $1 AND tablename = 'bars' ORDER BY 1",
        [schema],
      );
      expect(indexes.map((i) => i.indexdef.replace(/^.* USING /, "")).sort()).toEqual([
        'btree ("time", sid)',
        'btree (sid, "time")',
      ]);
    });
  });

  it("creates the partitions of the months a write touches, and only those", async () => {
    const store = await openTestStore();
    try {
      const jan = { ...contractBar(0), time: Date.UTC(2024, 0, 31, 23, 59) };
      const mar = { ...contractBar(1), time: Date.UTC(2024, 2, 1) };
      await store.writeBars("AAPL", [jan, mar]);
      await store.writeBars("MSFT", [{ ...mar, time: mar.time + M }]);
      const parts = await adminQuery<{ relname: string }>(
        `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
         WHERE i.inhparent = $1::regclass ORDER BY 1`,
        [`${q(store.schema)}.bars`],
      );
      expect(parts.map((p) => p.relname)).toEqual(["bars_202401", "bars_202403"]);
      expect(await store.readBars("AAPL", 0, Number.POSITIVE_INFINITY)).toEqual([jan, mar]);
      // One write into an existing month (an upsert there) and a new one (filled, then attached).
      const fix = { ...jan, close: jan.close + 0.125, high: jan.high + 0.125 };
      const feb = { ...contractBar(2), time: Date.UTC(2024, 1, 10) };
      await store.writeBars("aapl", [fix, feb]);
      expect(await store.readBars("AAPL", 0, Number.POSITIVE_INFINITY)).toEqual([fix, feb, mar]);
      const after = await adminQuery<{ relname: string }>(
        `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
         WHERE i.inhparent = $1::regclass ORDER BY 1`,
        [`${q(store.schema)}.bars`],
      );
      expect(after.map((p) => p.relname)).toEqual(["bars_202401", "bars_202402", "bars_202403"]);
      const checks = await adminQuery(
        "SELECT conname FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = $1 AND contype = 'c'",
        [store.schema],
      );
      expect(checks, "the attach's CHECK constraints are dropped").toEqual([]);
    } finally {
      await store.close();
    }
  });

  it("upgrades a version-1 schema in place, keeping its bars", async () => {
    await withSchema(async (schema) => {
      await adminQuery(`CREATE SCHEMA ${q(schema)}`);
      for (const sql of schemaDdl(schema, 1)) await adminQuery(sql);
      await adminQuery(`CREATE TABLE ${q(schema)}.bars_202401 PARTITION OF ${q(schema)}.bars
        FOR VALUES FROM (${Date.UTC(2024, 0, 1)}) TO (${Date.UTC(2024, 1, 1)})`);
      await adminQuery(`INSERT INTO ${q(schema)}.symbols (name) VALUES ('AAPL')`);
      const bar = contractBar(0);
      await adminQuery(
        `INSERT INTO ${q(schema)}.bars VALUES (1, ${bar.time}, ${bar.open}, ${bar.high}, ${bar.low}, ${bar.close}, ${bar.volume}, 0)`,
      );
      await expect(
        PostgresBarStore.open({ url: PG_TEST_URL, schema, readOnly: true }),
        "a read-only open does not upgrade",
      ).rejects.toThrow(/schema version 1; open it once without --read-only/);
      const store = await PostgresBarStore.open({ url: PG_TEST_URL, schema });
      try {
        expect(await store.readBars("aapl", bar.time, bar.time + M)).toEqual([bar]);
        await store.writeBars("AAPL", [contractBar(1)]);
        expect((await store.coverage("AAPL"))?.count).toBe(2);
      } finally {
        await store.close();
      }
      const indexes = await adminQuery<{ indexname: string }>(
        "SELECT indexname FROM pg_indexes WHERE schemaname = $1 AND tablename = 'bars'",
        [schema],
      );
      expect(indexes.map((i) => i.indexname)).toContain("bars_time_sid");
      const [version] = await adminQuery<{ version: number }>(
        `SELECT version FROM ${q(schema)}.schema_version`,
      );
      expect(version?.version, "the upgrade is recorded").toBe(PG_SCHEMA_VERSION);
    });
  });

  it("refuses a newer schema, and a schema that holds other tables", async () => {
    await withSchema(async (schema) => {
      const store = await PostgresBarStore.open({ url: PG_TEST_URL, schema });
      await store.close();
      await adminQuery(`UPDATE ${q(schema)}.schema_version SET version = 99`);
      const error = await PostgresBarStore.open({ url: PG_TEST_URL, schema }).catch((e) => e);
      expect(error).toBeInstanceOf(StoreVersionError);
      expect(String(error.message)).toMatch(
        new RegExp(`schema ${schema} has schema version 99, written by a newer sessiondata`),
      );
    });
    await withSchema(async (schema) => {
      await adminQuery(`CREATE SCHEMA ${q(schema)}`);
      await adminQuery(`CREATE TABLE ${q(schema)}.orders (id int)`);
      await expect(PostgresBarStore.open({ url: PG_TEST_URL, schema })).rejects.toThrow(
        /is not a sessiondata store \(it has tables orders/,
      );
    });
  });

  it("opens read-only: no schema is created, writes are refused by the store and the server", async () => {
    await withSchema(async (schema) => {
      await expect(
        PostgresBarStore.open({ url: PG_TEST_URL, schema, readOnly: true }),
      ).rejects.toBeInstanceOf(NoDatabaseError);
      await expect(
        PostgresBarStore.open({ url: PG_TEST_URL, schema, create: false }),
      ).rejects.toBeInstanceOf(NoDatabaseError);
      const writer = await PostgresBarStore.open({ url: PG_TEST_URL, schema });
      await writer.writeBars("AAPL", [contractBar(0)]);
      await writer.close();
      const reader = await PostgresBarStore.open({ url: PG_TEST_URL, schema, readOnly: true });
      try {
        await expect(reader.writeBars("AAPL", [contractBar(1)])).rejects.toBeInstanceOf(
          ReadOnlyStoreError,
        );
        expect(await reader.readBars("AAPL", 0, Number.POSITIVE_INFINITY)).toEqual([
          contractBar(0),
        ]);
      } finally {
        await reader.close();
      }
    });
  });

  it("takes the schema from the URL's ?schema=, and several first opens at once create it once", async () => {
    await withSchema(async (schema) => {
      const url = `${PG_TEST_URL}?schema=${schema}`;
      const stores = await Promise.all([1, 2, 3].map(() => PostgresBarStore.open({ url })));
      expect(stores.map((s) => s.schema)).toEqual([schema, schema, schema]);
      await Promise.all(stores.map((s, i) => s.writeBars(`S${i}`, [contractBar(i)])));
      expect(await stores[0]!.symbols()).toEqual(["S0", "S1", "S2"]);
      await Promise.all(stores.map((s) => s.close()));
      const rows = await adminQuery(`SELECT * FROM ${q(schema)}.schema_version`);
      expect(rows, "one version row").toHaveLength(1);
    });
  });
});
