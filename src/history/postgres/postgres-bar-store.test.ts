import { describe, expect, it } from "vitest";
import { postgres, requiring } from "../../../test/requirements.js";
import { barStoreContract, collectScan, contractBar } from "../bar-store.contract.js";
import { adminQuery, openTestStore } from "./postgres-test-support.test-helpers.js";

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

pgTests.describe("PostgresBarStore (server side)", () => {
  it("summarises each symbol's coverage and provenance like DuckDbBarStore.summary", async () => {
    const store = await openTestStore();
    try {
      await store.writeBars("MSFT", [contractBar(3)]);
      await store.writeBars("MSFT", [contractBar(4)], { provenance: "live" });
      await store.writeBars("AAPL", [contractBar(0), contractBar(1)], { provenance: "refilled" });
      const none = { live: 0, replay: 0, refilled: 0, corrected: 0 };
      expect(await store.summary()).toEqual([
        {
          symbol: "AAPL",
          first: T0,
          last: T0 + M,
          count: 2,
          provenance: { ...none, refilled: 2 },
          unrecorded: 0,
        },
        {
          symbol: "MSFT",
          first: T0 + 3 * M,
          last: T0 + 4 * M,
          count: 2,
          provenance: { ...none, live: 1 },
          unrecorded: 1,
        },
      ]);
    } finally {
      await store.close();
    }
  });

  it("keeps a paused scan's memory bounded: the server waits to write, and close ends the scan", async () => {
    const store = await openTestStore();
    try {
      const n = 400_000;
      const time = Float64Array.from({ length: n }, (_, i) => T0 + i * M);
      const col = (v: number) => new Float64Array(n).fill(v);
      const writer = await store.bulkWriter();
      writer.append(
        "AAPL",
        { time, open: col(10), high: col(11), low: col(9), close: col(10), volume: col(1) },
        n,
      );
      await writer.commit();
      const scan = store
        .scan({ from: 0, to: Number.POSITIVE_INFINITY, chunkSize: 1000 })
        [Symbol.asyncIterator]();
      expect((await scan.next()).value?.length).toBe(1000);
      let waiting: string | undefined;
      for (let i = 0; i < 100 && waiting !== "ClientWrite"; i++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        const [row] = await adminQuery<{ wait_event: string | null }>(
          `SELECT wait_event FROM pg_stat_activity WHERE application_name = $1 AND query LIKE 'COPY (SELECT sid%' AND state = 'active'`,
          [`sessiondata/${store.schema}`],
        );
        waiting = row?.wait_event ?? undefined;
      }
      expect(
        waiting,
        "the backend blocks on the socket: the client is not reading ahead (35 MB would be)",
      ).toBe("ClientWrite");
      await store.close();
      await expect(scan.next()).rejects.toThrow(/was closed during a scan/);
    } finally {
      await store.close();
    }
  }, 60_000);
});
