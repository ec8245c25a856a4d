import { describe, expect, it } from "vitest";
import { postgres, requiring } from "../../../test/requirements.js";
import { barStoreContract, collectScan, contractBar } from "../bar-store.contract.js";
import { openTestStore } from "./postgres-test-support.test-helpers.js";

const pgServer = await postgres();
const pgTests = requiring(pgServer);

const T0 = Date.UTC(2024, 0, 2, 14, 30);
const M = 60_000;

pgTests.describe("PostgresBarStore contract", () => {
  barStoreContract("PostgresBarStore", () => openTestStore());
});

pgTests.describe("PostgresBarStore", () => {
  it("orders a minute's rows by name when symbol ids are not in name order", async () => {
    const store = await openTestStore();
    try {
      await store.writeBars("ZZ", [contractBar(0), contractBar(1)]);
      await store.writeBars("MM", [contractBar(0), contractBar(1)]);
      await store.writeBars("AA", [contractBar(1), contractBar(2)]);
      const { rows } = await collectScan(store.scan({ from: T0, to: T0 + 3 * M, chunkSize: 2 }));
      expect(rows.map(([s, b]) => `${(b.time - T0) / M}${s}`)).toEqual([
        "0MM",
        "0ZZ",
        "1AA",
        "1MM",
        "1ZZ",
        "2AA",
      ]);
    } finally {
      await store.close();
    }
  });
});

describe("PostgreSQL requirement", () => {
  it("is probed", () => {
    expect(typeof pgServer.met).toBe("boolean");
  });
});
