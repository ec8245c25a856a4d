import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DuckDbBarStore } from "../duckdb/duckdb-bar-store.js";
import { runSql, writeV1File } from "../duckdb/duckdb-v1-file.test-helpers.js";
import { MemoryBarStore } from "../memory-bar-store.js";
import { ReadOnlyStoreError } from "../store-errors.js";
import { corporateActionStoreContract } from "./corporate-action-store.contract.js";
import { corporateActionsOf, MemoryCorporateActionStore } from "./corporate-action-store.js";

const dir = mkdtempSync(join(tmpdir(), "sessiondata-corporate-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

corporateActionStoreContract("MemoryCorporateActionStore", async () => ({
  store: new MemoryCorporateActionStore(),
  done: async () => undefined,
}));

corporateActionStoreContract("DuckDbCorporateActionStore (file)", async () => {
  const barStore = await DuckDbBarStore.open(join(dir, `c${n++}.duckdb`));
  return { store: corporateActionsOf(barStore)!, done: () => barStore.close() };
});

const ROWS = [{ date: "2050-12-31", priceFactor: 1, splitFactor: 1, referencePrice: 0 }];

describe("corporate actions in the DuckDB file", () => {
  it("keeps them across a reopen, and refuses to write them read-only", async () => {
    const path = join(dir, "reopen.duckdb");
    const store = await DuckDbBarStore.open(path);
    await corporateActionsOf(store)!.writeCorporateActions({ factorFiles: new Map([["A", ROWS]]) });
    await store.close();
    const ro = await DuckDbBarStore.open(path, { readOnly: true });
    try {
      expect(await corporateActionsOf(ro)!.factorRows("A")).toEqual(ROWS);
      await expect(
        corporateActionsOf(ro)!.writeCorporateActions({ factorFiles: new Map([["B", ROWS]]) }),
      ).rejects.toBeInstanceOf(ReadOnlyStoreError);
    } finally {
      await ro.close();
    }
  });

  it("upgrades a version-2 file in place (read-only it reads as holding none)", async () => {
    const path = join(dir, "v2.duckdb");
    const store = await DuckDbBarStore.open(path);
    await store.close();
    await runSql(path, [
      "DROP TABLE factor_rows",
      "DROP TABLE map_rows",
      "UPDATE meta SET value = '2' WHERE key = 'schema_version'",
    ]);
    const ro = await DuckDbBarStore.open(path, { readOnly: true });
    expect(await corporateActionsOf(ro)!.factorSymbols(), "no tables yet: none").toEqual([]);
    await ro.close();
    const rw = await DuckDbBarStore.open(path);
    await corporateActionsOf(rw)!.writeCorporateActions({ factorFiles: new Map([["A", ROWS]]) });
    expect(await corporateActionsOf(rw)!.factorSymbols()).toEqual(["A"]);
    await rw.close();
  });

  it("upgrades a version-1 file to the corporate tables too", async () => {
    const path = join(dir, "v1.duckdb");
    await writeV1File(path, [
      { symbol: "A", start: Date.UTC(2024, 0, 2, 14, 30), count: 3, base: 10 },
    ]);
    const store = await DuckDbBarStore.open(path);
    try {
      await corporateActionsOf(store)!.writeCorporateActions({
        mapFiles: new Map([["A", [{ date: "2050-12-31", ticker: "A" }]]]),
      });
      expect(await corporateActionsOf(store)!.mapRows("a")).toEqual([
        { date: "2050-12-31", ticker: "A" },
      ]);
    } finally {
      await store.close();
    }
  });

  it("is reached from a memory bar store too, and not from a store without one", () => {
    const memory = new MemoryBarStore();
    expect(corporateActionsOf(memory)).toBe(corporateActionsOf(memory));
    expect(corporateActionsOf({} as never)).toBeUndefined();
  });
});
