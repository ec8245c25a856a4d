import { describe, expect, it } from "vitest";
import { PG_TEST_URL, postgres, requiring } from "../../../test/requirements.js";
import { contractBar } from "../bar-store.contract.js";
import { corporateActionStoreContract } from "../corporate/corporate-action-store.contract.js";
import { corporateActionsOf } from "../corporate/corporate-action-store.js";
import type { FactorRow } from "../corporate/factor-file.js";
import { ReadOnlyStoreError } from "../store-errors.js";
import { PostgresBarStore } from "./postgres-bar-store.js";
import { PG_SCHEMA_VERSION, q, schemaDdl } from "./postgres-schema.js";
import {
  adminQuery,
  dropSchema,
  openTestStore,
  testSchemaName,
} from "./postgres-test-support.test-helpers.js";

const pgTests = requiring(await postgres());

/** `n` factor rows, one a year from 2000, each with a price factor of `marker`. */
function factorRows(n: number, marker: number): FactorRow[] {
  return Array.from({ length: n }, (_, i) => ({
    date: `${2000 + i}-06-30`,
    priceFactor: marker,
    splitFactor: 1 / (i + 3),
    referencePrice: 100.1 + i,
  }));
}

pgTests.describe("PostgresCorporateActionStore contract", () => {
  corporateActionStoreContract("PostgresCorporateActionStore", async () => {
    const barStore = await openTestStore();
    return { store: corporateActionsOf(barStore)!, done: () => barStore.close() };
  });
});

pgTests.describe("corporate actions in the PostgreSQL schema", () => {
  it("are seen by every store on the schema, and refused to a read-only one", async () => {
    const schema = testSchemaName();
    const url = `${PG_TEST_URL}?schema=${schema}`;
    const writer = await PostgresBarStore.open({ url });
    const reader = await PostgresBarStore.open({ url, readOnly: true });
    try {
      const rows = factorRows(3, 0.987654321012345);
      await corporateActionsOf(writer)!.writeCorporateActions({
        factorFiles: new Map([["abc", rows]]),
      });
      expect(await corporateActionsOf(reader)!.factorRows("ABC"), "to the last bit").toEqual(rows);
      await expect(
        corporateActionsOf(reader)!.writeCorporateActions({ factorFiles: new Map([["B", rows]]) }),
      ).rejects.toBeInstanceOf(ReadOnlyStoreError);
    } finally {
      await reader.close();
      await writer.close();
      await dropSchema(schema);
    }
  });

  it("two hosts replacing the same symbols at once both succeed, and one batch wins whole", async () => {
    const schema = testSchemaName();
    const url = `${PG_TEST_URL}?schema=${schema}`;
    const stores = await Promise.all([1, 2, 3, 4].map(() => PostgresBarStore.open({ url })));
    try {
      // Each batch names A and B; without the lock a DELETE cannot see the rows a concurrent
      // batch inserted, and the later INSERT fails on the primary key.
      await Promise.all(
        stores.map((store, i) =>
          corporateActionsOf(store)!.writeCorporateActions({
            factorFiles: new Map([
              ["A", factorRows(5 + i, i + 1)],
              ["B", factorRows(8 - i, i + 1)],
            ]),
          }),
        ),
      );
      const actions = corporateActionsOf(stores[0]!)!;
      const a = await actions.factorRows("A");
      const b = await actions.factorRows("B");
      const winner = a[0]!.priceFactor;
      expect(a, "A holds one batch's rows").toEqual(factorRows(4 + winner, winner));
      expect(b, "B comes from the same batch as A").toEqual(factorRows(9 - winner, winner));
    } finally {
      await Promise.all(stores.map((s) => s.close()));
      await dropSchema(schema);
    }
  });

  it("stores nothing of a batch the server fails half way (a map row refused after the factors)", async () => {
    const store = await openTestStore();
    try {
      const actions = corporateActionsOf(store)!;
      const before = factorRows(2, 1);
      await actions.writeCorporateActions({ factorFiles: new Map([["A", before]]) });
      const s = q(store.schema);
      await adminQuery(`CREATE FUNCTION ${s}.refuse() RETURNS trigger LANGUAGE plpgsql AS
        $$ BEGIN RAISE EXCEPTION 'map rows refused'; END $$`);
      await adminQuery(`CREATE TRIGGER refuse BEFORE INSERT ON ${s}.map_rows
        FOR EACH ROW EXECUTE FUNCTION ${s}.refuse()`);
      await expect(
        actions.writeCorporateActions({
          factorFiles: new Map([
            ["A", factorRows(4, 2)],
            ["B", factorRows(1, 2)],
          ]),
          mapFiles: new Map([["A", [{ date: "2050-12-31", ticker: "A" }]]]),
        }),
      ).rejects.toThrow(/map rows refused/);
      expect(await actions.factorRows("A"), "the replaced rows are back").toEqual(before);
      expect(await actions.factorSymbols()).toEqual(["A"]);
      await adminQuery(`DROP TRIGGER refuse ON ${s}.map_rows`);
      await actions.writeCorporateActions({ factorFiles: new Map([["B", factorRows(1, 3)]]) });
      expect(await actions.factorSymbols(), "the store's connections still work").toEqual([
        "A",
        "B",
      ]);
    } finally {
      await store.close();
    }
  });
});

describe("schema version 3", () => {
  it("is the version this code writes", () => {
    expect(PG_SCHEMA_VERSION).toBe(3);
    expect(schemaDdl("x", 2).join(";"), "version 2 had no corporate tables").not.toMatch(
      /factor_rows/,
    );
  });
});

pgTests.describe("upgrading a version-2 schema", () => {
  it("adds the corporate-action tables in one transaction, keeping the bars", async () => {
    const schema = testSchemaName();
    try {
      await adminQuery(`CREATE SCHEMA ${q(schema)}`);
      for (const sql of schemaDdl(schema, 2)) await adminQuery(sql);
      // A version-2 store's bars, written as version 2 did (bars_YYYYMM partitions).
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
      ).rejects.toThrow(/schema version 2; open it once without --read-only/);
      const store = await PostgresBarStore.open({ url: PG_TEST_URL, schema });
      try {
        expect(await store.readBars("AAPL", 0, Number.POSITIVE_INFINITY)).toEqual([bar]);
        const actions = corporateActionsOf(store)!;
        expect(await actions.factorSymbols(), "the new tables start empty").toEqual([]);
        await actions.writeCorporateActions({
          mapFiles: new Map([["AAPL", [{ date: "2050-12-31", ticker: "AAPL", exchange: "Q" }]]]),
        });
        expect(await actions.mapTickers()).toEqual(new Map([["AAPL", ["AAPL"]]]));
      } finally {
        await store.close();
      }
      const [version] = await adminQuery<{ version: number }>(
        `SELECT version FROM ${q(schema)}.schema_version`,
      );
      expect(version?.version, "the upgrade is recorded").toBe(3);
    } finally {
      await dropSchema(schema);
    }
  });
});
